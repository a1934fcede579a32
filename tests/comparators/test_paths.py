from __future__ import annotations

import pytest

from comparators.paths import (
    REMOVE,
    PathPattern,
    PathSet,
    escape_token,
    generalize_pointer,
    join_pointer,
    split_pointer,
    transform,
)


def test_pointer_escaping_round_trips() -> None:
    assert escape_token("a/b~c") == "a~1b~0c"
    assert join_pointer("/entries", "src/x~y.txt") == "/entries/src~1x~0y.txt"
    assert split_pointer("/entries/src~1x~0y.txt") == ["entries", "src/x~y.txt"]
    assert split_pointer("") == []
    assert split_pointer("/") == [""]


def test_a_pointer_must_start_with_a_slash() -> None:
    with pytest.raises(ValueError, match="not a JSON pointer"):
        split_pointer("data/id")


@pytest.mark.parametrize(
    ("pattern", "pointer", "expected"),
    [
        ("/data/*/created_at", "/data/3/created_at", True),
        ("/data/*/created_at", "/data/created_at", False),
        ("/data/*/created_at", "/data/3/4/created_at", False),
        ("/**/updated_at", "/updated_at", True),
        ("/**/updated_at", "/data/0/record/data/updated_at", True),
        ("/**/updated_at", "/data/0/updated_at_x", False),
        ("/**", "", True),
        ("/**", "/a/b/c", True),
        ("", "", True),
        ("", "/a", False),
        ("/data/**/id", "/data/id", True),
        ("/data/**/id", "/data/x/y/id", True),
        ("/a/**/b/**/c", "/a/x/b/y/z/c", True),
        ("/a/**/b/**/c", "/a/x/c", False),
        ("/entries/a~1b", "/entries/a~1b", True),
    ],
)
def test_pattern_matching(pattern: str, pointer: str, expected: bool) -> None:
    assert PathPattern(pattern).matches(pointer) is expected


def test_pattern_fast_path_properties() -> None:
    assert PathPattern("/**").everywhere
    assert PathPattern("/**/created_at").anywhere_key == "created_at"
    assert PathPattern("/data/*/created_at").anywhere_key is None
    assert PathPattern("/**/*").anywhere_key is None


def test_transform_visits_only_selected_nodes_children_first() -> None:
    doc = {"data": [{"a": 1, "b": {"a": 2}}, {"a": 3}], "a": 4}
    seen: list[object] = []

    def record(node: object) -> object:
        seen.append(node)
        return node * 10 if isinstance(node, int) else node

    result = transform(doc, PathSet(["/data/**/a"]), record)
    assert result == {"data": [{"a": 10, "b": {"a": 20}}, {"a": 30}], "a": 4}
    assert result is doc  # in place: the caller owns the document
    assert seen == [1, 2, 3]


def test_transform_removes_members_and_elements() -> None:
    doc = {"data": [1, 2, 3, 4], "keep": True, "drop": 1}
    result = transform(doc, PathSet(["/drop", "/data/1", "/data/3"]), lambda node: REMOVE)
    assert result == {"data": [1, 3], "keep": True}
    assert transform({"x": 1}, PathSet([""]), lambda node: REMOVE) is None


def test_generalize_pointer_forgets_indices_and_reference_numbers() -> None:
    assert generalize_pointer("/body/data/3/status") == "/body/data/*/status"
    assert generalize_pointer("/body/data/12") == "/body/data/*"
    assert generalize_pointer("/stream/<uuid:7>/status") == "/stream/*/status"
    assert generalize_pointer("/body/v2/x") == "/body/v2/x"
