from __future__ import annotations

import copy
from typing import Any

import pytest
from deepdiff import DeepDiff
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

import comparators.json_diff as json_diff_module
from comparators.json_diff import diff_json, json_type
from comparators.paths import join_pointer, split_pointer
from comparators.result import Diff, DiffKind
from comparators.scan import locate_change

leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
)
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=6), inner, max_size=5),
    max_leaves=30,
)


def _kinds(diffs: list[Diff]) -> list[tuple[str, DiffKind]]:
    return [(d.path, d.kind) for d in diffs]


def test_equal_documents_never_reach_deepdiff(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("DeepDiff called on equal documents")

    monkeypatch.setattr(json_diff_module, "DeepDiff", refuse)
    big = {"data": [{"id": n, "tags": ["a", "b"]} for n in range(200)]}
    assert diff_json(big, copy.deepcopy(big)) == []
    assert diff_json({"b": 1, "a": 2}, {"a": 2, "b": 1}) == []


def test_kinds_of_leaf_differences() -> None:
    primary = {"status": "todo", "n": 1, "t": "<ts>", "ref": "<uuid:1>", "gone": None, "x": [1]}
    candidate = {
        "status": "done",
        "n": "1",
        "t": "2026-11-26 07:12:12",
        "ref": "j57a9c2",
        "gone": "<ts>",
        "x": {"0": 1},
    }
    assert _kinds(diff_json(primary, candidate, "/body")) == [
        ("/body/gone", DiffKind.TYPE),
        ("/body/n", DiffKind.TYPE),
        ("/body/ref", DiffKind.FORMAT),  # a Convex id where the primary has a UUID
        ("/body/status", DiffKind.VALUE),
        ("/body/t", DiffKind.FORMAT),  # a non-timestamp where the primary has one
        ("/body/x", DiffKind.TYPE),
    ]
    assert _kinds(diff_json({"r": "<uuid:1>"}, {"r": "<uuid:2>"})) == [("/r", DiffKind.VALUE)]
    assert _kinds(diff_json({"t": "<ts>"}, {"t": "<ts:rfc3339>"})) == [("/t", DiffKind.FORMAT)]


def test_missing_and_extra_members() -> None:
    diffs = diff_json({"a": 1, "b": {"c": 2}}, {"b": {"c": 2, "d": 3}, "e/f": 4}, "/body")
    assert _kinds(diffs) == [
        ("/body/a", DiffKind.MISSING),
        ("/body/b/d", DiffKind.EXTRA),
        ("/body/e~1f", DiffKind.EXTRA),
    ]
    assert diffs[0].primary == 1 and diffs[1].candidate == 3


def test_a_reordered_list_is_one_order_difference() -> None:
    projects = [{"id": f"<uuid:{n}>", "name": name} for n, name in enumerate(["newest", "middle", "oldest"], 1)]
    # first-appearance numbering follows the candidate's order, so the references are renumbered too
    reordered = [{"id": f"<uuid:{n}>", "name": name} for n, name in enumerate(["oldest", "middle", "newest"], 1)]
    diffs = diff_json({"data": projects}, {"data": reordered}, "/body")
    assert _kinds(diffs) == [("/body/data", DiffKind.ORDER)]
    assert "index 0" in (diffs[0].note or "")


def test_dropped_and_inserted_elements_are_aligned() -> None:
    rows = [{"id": f"<uuid:{n}>", "title": f"t{n}"} for n in range(1, 8)]
    dropped = [dict(r, id=f"<uuid:{n}>") for n, r in enumerate(rows[:3] + rows[4:], 1)]  # renumbered after the gap
    diffs = diff_json(rows, dropped)
    assert _kinds(diffs) == [("", DiffKind.LENGTH), ("/3", DiffKind.MISSING)]
    assert diffs[0].primary == 7 and diffs[0].candidate == 6 and diffs[1].primary == rows[3]
    inserted = [*rows[:2], {"id": "<uuid:99>", "title": "new"}, *rows[2:]]
    assert _kinds(diff_json(rows, inserted)) == [("", DiffKind.LENGTH), ("/2", DiffKind.EXTRA)]


def test_edits_in_place_are_reported_per_element() -> None:
    rows = [{"n": n, "status": "todo"} for n in range(50)]
    changed = copy.deepcopy(rows)
    changed[3]["status"] = "inprogress"
    changed[40]["status"] = "done"
    assert _kinds(diff_json(rows, changed, "/body/data")) == [
        ("/body/data/3/status", DiffKind.VALUE),
        ("/body/data/40/status", DiffKind.VALUE),
    ]


def test_insert_and_delete_in_a_same_length_list_align() -> None:
    primary = ["a", "b", "c", "d", "e"]
    candidate = ["z", "a", "b", "c", "e"]
    assert _kinds(diff_json(primary, candidate)) == [("/0", DiffKind.EXTRA), ("/3", DiffKind.MISSING)]


def test_json_type_names() -> None:
    assert [json_type(v) for v in (None, True, 1, 1.5, "s", [], {})] == [
        "null",
        "boolean",
        "number",
        "number",
        "string",
        "array",
        "object",
    ]
    with pytest.raises(TypeError):
        json_type(object())


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_a_document_never_differs_from_itself(doc: Any) -> None:
    assert diff_json(doc, copy.deepcopy(doc)) == []


@settings(max_examples=200, deadline=None)
@given(json_values, json_values)
def test_fast_path_agrees_with_deepdiff(a: Any, b: Any) -> None:
    # -0.0 == 0.0 for DeepDiff but not in JSON text, and DeepDiff lets False pass for 0 inside lists
    # (Python's False == 0); JSON tells them apart (see the test below). Leave those corners out.
    assume("-0.0" not in repr((a, b)))
    assume(not (_has_bool(a) or _has_bool(b)))  # one side's bools against the other's 0/1 count too
    assert (diff_json(a, b) == []) == (DeepDiff(a, b) == {})


def _has_bool(doc: Any) -> bool:
    if isinstance(doc, bool):
        return True
    if isinstance(doc, dict):
        return any(_has_bool(v) for v in doc.values())
    if isinstance(doc, list):
        return any(_has_bool(v) for v in doc)
    return False


def test_a_boolean_is_never_a_number() -> None:
    # found by hypothesis: DeepDiff reports nothing for [False] against [0]; JSON parity must.
    assert [d.kind for d in diff_json([None, False], [None, 0])] == [DiffKind.TYPE]
    assert [d.kind for d in diff_json({"a": True}, {"a": 1})] == [DiffKind.TYPE]


def _leaf_paths(doc: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(doc, dict):
        return [p for key, value in doc.items() for p in _leaf_paths(value, join_pointer(path, key))]
    if isinstance(doc, list):
        return [p for index, value in enumerate(doc) for p in _leaf_paths(value, join_pointer(path, index))]
    return [(path, doc)]


def _set_leaf(doc: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    head, rest = tokens[0], tokens[1:]
    if isinstance(doc, list):
        doc[int(head)] = _set_leaf(doc[int(head)], rest, value)
    else:
        doc[head] = _set_leaf(doc[head], rest, value)
    return doc


@settings(max_examples=200, deadline=None)
@given(json_values, st.data())
def test_one_changed_leaf_is_reported_at_its_exact_path_and_nothing_else(doc: Any, data: st.DataObject) -> None:
    leaves_found = [(path, value) for path, value in _leaf_paths(doc) if value is not None]
    assume(leaves_found)
    path, old = data.draw(st.sampled_from(leaves_found))
    other: dict[type, st.SearchStrategy[Any]] = {
        bool: st.just(not old),
        int: st.integers(-(2**63), 2**63).filter(lambda v: v != old),
        float: st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: repr(v) != repr(old)),
        str: st.text(max_size=10).filter(lambda v: v != old),
    }
    new = data.draw(other[type(old)])
    changed = _set_leaf(copy.deepcopy(doc), split_pointer(path), new)
    diffs = diff_json(doc, changed, "/body")
    assert [(d.path, d.kind, d.primary, d.candidate) for d in diffs] == [(f"/body{path}", DiffKind.VALUE, old, new)]


@settings(max_examples=200, deadline=None)
@given(json_values, json_values)
def test_a_caller_that_compared_already_gets_the_same_differences(a: Any, b: Any) -> None:
    # bodies.py compares the canonical forms before it asks for the differences; skipping that check
    # here must not change them (nor invent any when the values are equal after all).
    assert diff_json(a, b, "/body", known_unequal=True) == diff_json(a, b, "/body")
    assert diff_json(a, copy.deepcopy(a), known_unequal=True) == []


def test_equal_lists_inside_objects_give_nothing_without_being_serialized_whole() -> None:
    rows = [{"n": n} for n in range(5)]
    assert diff_json({"data": rows, "x": 1}, {"data": copy.deepcopy(rows), "x": 2}) == [
        Diff(path="/x", kind=DiffKind.VALUE, primary=1, candidate=2)
    ]


def _mutated(doc: Any, data: st.DataObject) -> Any:
    """doc with one value somewhere replaced (or a member or element added or dropped)."""
    changed = copy.deepcopy(doc)
    node, parent, key = changed, None, None
    while isinstance(node, (dict, list)) and node and data.draw(st.integers(0, 4)) > 0:  # mostly deep
        parent, key = node, data.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        node = node[key]
    action = data.draw(st.sampled_from(["replace", "add", "drop"]))
    if action == "add" and isinstance(node, dict):
        node[data.draw(st.text(max_size=3))] = data.draw(json_values)
    elif action == "add" and isinstance(node, list):
        node.insert(data.draw(st.integers(0, len(node))), data.draw(json_values))
    elif action == "drop" and isinstance(node, (dict, list)) and node:
        del node[data.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))]
    elif parent is None:
        return data.draw(json_values)
    else:
        parent[key] = data.draw(json_values)
    return changed


@given(json_values, st.data())
def test_diff_canonical_is_diff_json_of_the_whole_documents(doc: Any, data: st.DataObject) -> None:
    from comparators.canonical import canonical_bytes
    from comparators.json_diff import diff_canonical

    other = _mutated(doc, data) if data.draw(st.integers(0, 4)) > 0 else data.draw(json_values)
    primary, candidate = canonical_bytes(doc), canonical_bytes(other)
    assume(primary != candidate)
    whole = diff_json(doc, other, "/body", known_unequal=True)
    if locate_change is not None:
        event("one value located" if locate_change(primary, candidate) else "whole documents")
    assert diff_canonical(primary, candidate, "/body") == whole


@pytest.mark.skipif(locate_change is None, reason="the C extension is not built: whole documents are compared")
def test_one_changed_element_of_a_long_list_is_located() -> None:
    from comparators.canonical import canonical_bytes

    tasks = [{"id": f"<uuid:{n}>", "status": "todo", "tags": ["a", "b"]} for n in range(200)]
    changed = copy.deepcopy(tasks)
    changed[117]["status"] = "done"
    primary, candidate = canonical_bytes({"data": tasks}), canonical_bytes({"data": changed})
    located = locate_change(primary, candidate)
    assert located is not None
    start, p_end, c_end, steps = located
    assert steps[:2] == [(1, 7), 117] and primary[slice(*steps[2])] == b'"status"'  # /data/117/status
    assert (primary[start:p_end], candidate[start:c_end]) == (b'"todo"', b'"done"')
    # A list of another length: the list is the value that differs; other members: the whole documents.
    shorter = locate_change(primary, canonical_bytes({"data": tasks[:-1]}))
    assert shorter is not None and shorter[3] == [(1, 7)]
    assert locate_change(primary, canonical_bytes({"data": tasks, "more": 1})) is None
