"""The config-file formats of runner.agent_config, by property (hypothesis) and on the edges serde has.
The byte-for-byte comparison with the real binary's own writing is in test_mcp.py."""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runner.agent_config import (
    TOML_DATETIME_KEY,
    ConfigFormatError,
    get_servers,
    parse_json_config,
    parse_toml_config,
    render_compact_json,
    render_json_config,
    render_toml_config,
    set_servers,
)

keys = st.text(min_size=1, max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=20
)
json_objects = st.dictionaries(keys, json_values, max_size=5)


@given(json_objects)
def test_rendered_json_reads_back_equal_with_sorted_keys(value: dict[str, Any]) -> None:
    text = render_json_config(value)
    assert parse_json_config(text) == value
    assert json.loads(text) == value
    assert not text.endswith("\n")
    assert "e+" not in render_compact_json([v for v in _floats(value)])  # serde writes 1e20, never 1e+20


def _floats(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for item in value.values() for f in _floats(item)]
    if isinstance(value, list):
        return [f for item in value for f in _floats(item)]
    return []


@given(json_objects)
def test_pretty_output_is_the_compact_output_indented(value: dict[str, Any]) -> None:
    assert json.loads(render_compact_json(value)) == json.loads(render_json_config(value))
    assert json.dumps(json.loads(render_json_config(value)), sort_keys=True) == json.dumps(value, sort_keys=True)


def _has_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return any(_has_null(item) for item in value.values())
    return isinstance(value, list) and any(_has_null(item) for item in value)


@given(json_objects.filter(_has_null))
def test_a_null_is_refused_for_toml_at_the_column_where_it_ends(value: dict[str, Any]) -> None:
    compact = render_compact_json(value).encode("utf-8")
    with pytest.raises(ConfigFormatError) as refused:
        render_toml_config(value)
    message = str(refused.value)
    assert message.startswith("invalid type: null, expected any valid TOML value at line 1 column ")
    column = int(message.rsplit(" ", 1)[1])
    # the first null token of the compact, key-sorted document ends exactly there
    assert compact[column - 4 : column] == b"null"
    assert _first_null_token_end(compact) == column


def _first_null_token_end(compact: bytes) -> int:
    """Scan the JSON text, skipping strings, for the first bare null."""
    index, in_string = 0, False
    while index < len(compact):
        char = compact[index : index + 1]
        if in_string:
            if char == b"\\":
                index += 1
            elif char == b'"':
                in_string = False
        elif char == b'"':
            in_string = True
        elif compact.startswith(b"null", index):
            return index + 4
        index += 1
    raise AssertionError("no null")


toml_scalars = (
    st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
toml_values = st.recursive(
    toml_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3), max_leaves=15
)


@given(st.dictionaries(keys, toml_values, max_size=5))
def test_toml_round_trips_through_the_json_form(value: dict[str, Any]) -> None:
    text = render_toml_config(value)
    assert parse_toml_config(text) == value
    assert tomllib.loads(text) == value


def test_toml_datetimes_read_as_serde_private_form_and_write_back_as_datetimes() -> None:
    source = (
        "a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00.5-07:00\nc = 1979-05-27T07:32:00\n"
        "d = 1979-05-27\ne = 07:32:00.25\nf = inf\n"
    )
    parsed = parse_toml_config(source)
    assert {key: value[TOML_DATETIME_KEY] for key, value in parsed.items() if isinstance(value, dict)} == {
        "a": "1979-05-27T07:32:00Z",
        "b": "1979-05-27T00:32:00.5-07:00",
        "c": "1979-05-27T07:32:00",
        "d": "1979-05-27",
        "e": "07:32:00.25",
    }
    assert parsed["f"] is None  # serde_json writes a non-finite f64 as null
    written = tomllib.loads(render_toml_config({k: v for k, v in parsed.items() if k != "f"}))
    assert written == {k: v for k, v in tomllib.loads(source).items() if k != "f"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "EOF while parsing a value at line 1 column 0"),
        ("  \n ", "EOF while parsing a value at line 2 column 1"),
    ],
)
def test_empty_json_fails_with_serde_text(text: str, message: str) -> None:
    with pytest.raises(ConfigFormatError, match=f"^{message}$"):
        parse_json_config(text)


def test_json_that_serde_refuses_is_refused() -> None:
    for text in ["NaN", '{"a": Infinity}', "{bad", "[1,]", "1 2"]:
        with pytest.raises(ConfigFormatError):
            parse_json_config(text)
    assert parse_json_config("18446744073709551616") == float(2**64)  # beyond u64: an f64, as serde reads it
    assert parse_json_config("-9223372036854775809") == -float(2**63 + 1)
    assert parse_toml_config(" \n\t") == {}


def test_servers_at_a_path_and_replacing_what_is_in_the_way() -> None:
    config = {"a": {"b": {"x": 1}}, "keep": True}
    assert get_servers(config, ["a", "b"]) == {"x": 1}
    assert get_servers(config, ["a", "missing"]) == {}
    assert get_servers({"a": [1]}, ["a"]) == {}
    assert get_servers([1], ["a"]) == {}
    assert set_servers(config, ["a", "b"], {"y": 2}) == {"a": {"b": {"y": 2}}, "keep": True}
    assert set_servers({"a": 5}, ["a", "b"], {}) == {"a": {"b": {}}}
    assert set_servers([1, 2], ["s"], {"k": 1}) == {"s": {"k": 1}}
