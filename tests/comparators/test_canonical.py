from __future__ import annotations

import pytest

from comparators.canonical import NotJson, canonical_bytes, canonical_bytes_fit, canonical_each, copy_json, parse_json


def test_key_order_and_whitespace_do_not_matter() -> None:
    a = parse_json(b'{"b": 1, "a": {"d": [1, 2], "c": null}}')
    b = parse_json(b'{"a":{"c":null,"d":[1,2]},"b":1}')
    assert canonical_bytes(a) == canonical_bytes(b) == b'{"a":{"c":null,"d":[1,2]},"b":1}'


def test_json_types_stay_distinct() -> None:
    assert canonical_bytes(1) != canonical_bytes(1.0)
    assert canonical_bytes(True) != canonical_bytes(1)
    assert canonical_bytes(0.0) != canonical_bytes(-0.0)


def test_integers_beyond_64_bits_keep_their_exact_value() -> None:
    big = b'{"n": 123456789012345678901234567890}'
    assert parse_json(big) == {"n": 123456789012345678901234567890}
    assert canonical_bytes(parse_json(big)) == b'{"n":123456789012345678901234567890}'
    nearby = parse_json(b'{"n": 123456789012345678901234567891}')
    assert canonical_bytes(parse_json(big)) != canonical_bytes(nearby)


@pytest.mark.parametrize(
    "raw", [b"", b"{", b"NaN", b'{"a": Infinity}', b"[1e400]", b"\xff", b'{"n": 1234567890123456789012, "x": NaN}']
)
def test_not_json_is_one_clear_line(raw: bytes) -> None:
    with pytest.raises(NotJson) as caught:
        parse_json(raw)
    assert "\n" not in str(caught.value) and str(caught.value)


def test_copy_is_deep_and_equal() -> None:
    original = {"a": [{"b": 1}], "n": 2**70}
    copied = copy_json(original)
    assert copied == original
    copied["a"][0]["b"] = 2
    assert original["a"][0]["b"] == 1


def test_each_value_is_serialized_as_canonical_bytes_would() -> None:
    values = [{"b": 1, "a": [2.5, None]}, "x", 2**70, True]
    assert canonical_each(values) == [canonical_bytes(value) for value in values]
    assert canonical_each(iter([1, 2])) == [b"1", b"2"]


def test_canonical_bytes_fit_says_whether_orjson_wrote_them() -> None:
    assert canonical_bytes_fit({"b": 2**64 - 1, "a": "x"}) == (b'{"a":"x","b":18446744073709551615}', True)
    assert canonical_bytes_fit({"n": 2**64}) == (b'{"n":18446744073709551616}', False)
    assert parse_json(b"[18446744073709551615]", integers_fit=True) == [2**64 - 1]
