"""The C forms of the byte scans (comparators/_scan.c) give exactly what the Python forms give."""

from __future__ import annotations

import re
import shutil
import sysconfig

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comparators import scan
from comparators.scan import TS_PLAIN, MemberStrings, contains_py, replace_hex_runs_py, split_uuids_py

native = pytest.importorskip("comparators._scan", reason="the C extension is not built (no C compiler)")

# Bytes rich in what the scans look for: hex digits of both cases, dashes, quotes, colons, escapes.
_SCAN_BYTES = st.binary(max_size=300) | st.lists(
    st.sampled_from([b"0", b"7", b"a", b"f", b"A", b"F", b"g", b"-", b'"', b":", b" ", b"\\", b"_at", b"\n", b"x"]),
    max_size=160,
).map(b"".join)
_UUID = "0e6a4c1b-8f2d-4c3a-9b1e-5d7f2a6c8e90"


def test_the_extension_is_built_where_a_c_compiler_is() -> None:
    # Without it everything still works (the Python forms), only slower: a silent fallback on a machine
    # that can build it would hide a broken build.
    if shutil.which(sysconfig.get_config_var("CC").split()[0] or "cc") is None:
        pytest.skip("no C compiler here")
    assert scan.NATIVE


@given(_SCAN_BYTES | st.builds(lambda a, b: a + _UUID.encode() + b, _SCAN_BYTES, _SCAN_BYTES))
def test_split_uuids(data: bytes) -> None:
    assert native.split_uuids(data) == split_uuids_py(data)


@given(
    _SCAN_BYTES | st.text(alphabet="0123456789abcdefABx\"' ", max_size=200).map(str.encode),
    st.integers(min_value=1, max_value=12),
    st.sampled_from([b"<sha>", b"", b"<a-much-longer-token>"]),
    st.none() | st.integers(min_value=0, max_value=6),
)
def test_replace_hex_runs(data: bytes, length: int, replacement: bytes, max_digit_run: int | None) -> None:
    expected = replace_hex_runs_py(data, length, replacement, max_digit_run=max_digit_run)
    limit = -1 if max_digit_run is None else max_digit_run
    assert native.replace_hex_runs(data, length, replacement, limit) == expected


_MEMBERS = st.lists(
    st.sampled_from(['"created_at"', '"updated_at"', '"x_at"', "\\", '"', ":", " ", "\t", "v", "_at", '"at"', ","]),
    max_size=40,
).map(lambda parts: "".join(parts).encode())


@given(_MEMBERS | _SCAN_BYTES, st.sampled_from([["created_at", "updated_at"], ["a", "bc"], ["x_at"]]))
def test_split_members(data: bytes, names: list[str]) -> None:
    members = MemberStrings(names)
    assert members.split(data) == members._pattern.split(data)


_DIGITS = st.text(alphabet="0123456789", min_size=2, max_size=2)


@given(
    st.sampled_from(["0000", "2024", "2026", "1999"]),
    _DIGITS,
    _DIGITS,
    st.tuples(_DIGITS, _DIGITS, _DIGITS),
    st.sampled_from(["", ".5", ".517", ".5171", ".517123", ".517123456", ".5171234567", ".51a"]),
    st.sampled_from(["Z", "z", "+00:00", ""]),
    st.sampled_from(["T", "t", " "]),
)
def test_all_ts_plain_is_the_regex(
    year: str, month: str, day: str, clock: tuple[str, str, str], fraction: str, zone: str, sep: str
) -> None:
    value = f"{year}-{month}-{day}{sep}{':'.join(clock)}{fraction}{zone}".encode()
    assert native.all_ts_plain([value]) == (re.fullmatch(TS_PLAIN, value) is not None)
    assert native.all_ts_plain([b"2026-01-01T00:00:00Z", value]) == native.all_ts_plain([value])


@given(st.lists(_SCAN_BYTES, max_size=3))
def test_all_ts_plain_on_anything(values: list[bytes]) -> None:
    expected = all(re.fullmatch(TS_PLAIN, value) for value in values)
    assert native.all_ts_plain(values) == expected


@given(_SCAN_BYTES, st.sampled_from([b"vk-", b"(vibe-kanban ", b"a", b"_at", b'"', b""]))
def test_contains(data: bytes, literal: bytes) -> None:
    assert native.contains(data, literal) == contains_py(data, literal) == (literal in data)
