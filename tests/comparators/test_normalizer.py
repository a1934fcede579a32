from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import comparators.normalize  # noqa: F401  (registers the rules the engine runs)
from comparators.normalizer import RULES, NormalizeContext, Normalizer, RuleRef, Run

U1 = str(uuid.UUID(int=1, version=4))
LISTED = [
    {"rule": "mask_uuid"},
    {"rule": "multiset", "paths": ["/set"]},
    {"rule": "mask_timestamp"},
    {"rule": "id_map"},
    {"rule": "parse_json_string", "paths": ["/content"]},
]


def test_context_refuses_bad_prefixes() -> None:
    with pytest.raises(ValueError, match="absolute"):
        NormalizeContext(prefixes={"WORK": "relative/dir"})
    with pytest.raises(ValueError, match="absolute"):
        NormalizeContext(prefixes={"WORK": "/"})
    with pytest.raises(ValueError, match="upper-case"):
        NormalizeContext(prefixes={"work": "/tmp"})


def test_context_byte_forms_and_merging() -> None:
    primary = NormalizeContext(prefixes={"WORK": "/tmp/a/"}, known_ids=frozenset({U1}))
    candidate = NormalizeContext(prefixes={"WORK": "/tmp/b", "HOME": "/h"}, id_map={"x": U1})
    assert primary.prefixes == {"WORK": ("/tmp/a",)}
    assert primary.known_ids_bytes == frozenset({U1.encode()}) and candidate.id_map_bytes == {b"x": U1.encode()}
    both = NormalizeContext.merged(primary, candidate)
    assert both.prefixes == {"WORK": ("/tmp/a", "/tmp/b"), "HOME": ("/h",)}
    assert both.id_map == {"x": U1} and both.known_ids == frozenset({U1})
    assert [prefix.name for prefix in both.prefix_patterns] == ["WORK", "WORK", "HOME"]  # longest first


def test_rules_run_in_phase_order_whatever_the_listing() -> None:
    forward = Normalizer([RuleRef.model_validate(r) for r in LISTED])
    backward = Normalizer([RuleRef.model_validate(r) for r in reversed(LISTED)])
    assert (
        forward.rule_names
        == backward.rule_names
        == ("parse_json_string", "id_map", "mask_timestamp", "multiset", "mask_uuid")
    )
    assert [RULES[name].phase for name in forward.rule_names] == sorted(
        RULES[name].phase for name in forward.rule_names
    )


def test_owned_documents_are_normalized_in_place_others_are_copied() -> None:
    normalizer = Normalizer([RuleRef.model_validate({"rule": "ignore", "paths": ["/a"]})])
    doc = {"a": 1, "b": 2}
    assert normalizer.canonical(doc) == b'{"b":2}' and doc == {"a": 1, "b": 2}
    assert normalizer.canonical(doc, owned=True) == b'{"b":2}' and doc == {"b": 2}


def test_sort_keys_order_by_type_then_value_with_volatile_values_hidden() -> None:
    run = Run(NormalizeContext(), Normalizer([RuleRef(rule="mask_uuid")])._raw)
    values: list[Any] = ["b", 10, None, [1], 2, True, "a", {"id": U1}]
    assert sorted(values, key=run.sort_key) == [None, True, 2, 10, "a", "b", [1], {"id": U1}]
    assert run.sort_key({"id": U1}) == run.sort_key({"id": str(uuid.uuid4())})


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ({"rule": "mask_everything"}, "unknown rule 'mask_everything'"),
        ({"rule": "ignore"}, "rule ignore: paths"),
        ({"rule": "ignore", "paths": ["data/id"]}, "not a JSON pointer"),
        ({"rule": "mask_regex", "patterns": ["md5"]}, "unknown named pattern"),
        ({"rule": "mask_regex", "custom": [{"regex": "(", "replacement": ""}]}, "bad regex"),
        ({"rule": "mask_regex"}, "named patterns and/or custom"),
        ({"rule": "mask_timestamp", "precision": "roughly"}, "rule mask_timestamp: precision"),
        ({"rule": "sort_array", "paths": ["/x"]}, "rule sort_array: keys"),
        ({"rule": "mask_uuid", "paths": ["/x"]}, "Extra inputs are not permitted"),
    ],
)
def test_bad_references_are_refused_with_the_reason(ref: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RuleRef.model_validate(ref)


def test_flat_and_nested_reference_forms_are_equal() -> None:
    flat = RuleRef.model_validate({"rule": "ignore", "paths": ["/a"]})
    assert flat == RuleRef.model_validate({"rule": "ignore", "params": {"paths": ["/a"]}})
    assert RuleRef.model_validate("mask_uuid") == RuleRef(rule="mask_uuid")


def test_contexts_say_whether_their_prefixes_may_be_masked_in_unparsed_bytes() -> None:
    assert NormalizeContext(prefixes={"WORK": "/tmp/work-a", "HOME": "/home/ü"}).raw_safe
    assert not NormalizeContext(prefixes={"WORK": '/tmp/a"b'}).raw_safe  # would be escaped in JSON
    assert not NormalizeContext(prefixes={"WORK": "/tmp/a\\b"}).raw_safe
    assert not NormalizeContext(prefixes={"WORK": f"/tmp/{U1}"}).raw_safe  # id_map could rewrite it
    assert not NormalizeContext(prefixes={"WORK": "/tmp/1234567890123456789"}).raw_safe


def test_the_compiled_rules_are_kept_in_phase_order() -> None:
    normalizer = Normalizer([RuleRef.model_validate(r) for r in LISTED])
    assert tuple(rule.name for rule in normalizer.rules) == normalizer.rule_names


@given(st.lists(st.sampled_from(["/tmp/w1", "/tmp/w10", "/tmp/w1/vk-ab12-x", "/", "a", ".", "-", '"', " ", "é"])))
def test_prefix_mask_replaces_what_the_boundary_regex_replaces(pieces: list[str]) -> None:
    # The split-and-join short cut must give the regex's answer, rejected occurrences and overlaps included.
    (prefix,) = NormalizeContext(prefixes={"WORK": "/tmp/w1"}).prefix_patterns
    data = "".join(pieces).encode()
    expected = data
    if prefix.literal + b"/vk-" in expected:
        expected = prefix.worktree.sub(b"<WORK>/vk-<xxxx>-", expected)
    expected = prefix.plain.sub(b"<WORK>", expected)
    assert prefix.mask(data) == expected


def test_with_ids_is_the_context_built_with_those_ids() -> None:
    import dataclasses

    base = NormalizeContext(prefixes={"WORK": "/tmp/w1/", "HOME": ["/tmp/h1", "/tmp/h2"]})
    ids = {str(uuid.uuid4()): str(uuid.uuid4())}
    known = frozenset(ids.values())
    built = NormalizeContext(prefixes={"WORK": "/tmp/w1/", "HOME": ["/tmp/h1", "/tmp/h2"]}, id_map=ids, known_ids=known)
    derived = base.with_ids(ids, known)
    for field in dataclasses.fields(NormalizeContext):
        assert getattr(derived, field.name) == getattr(built, field.name), field.name
    assert base.id_map == {} and base.known_ids == frozenset()
