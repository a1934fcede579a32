from __future__ import annotations

import json
import shutil
import sysconfig
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comparators import scan
from comparators.scan import MemberStrings, StringValues, has_long_integer, replace_hex_runs, split_uuids
from comparators.tokens import UUID_TEXT

SHA = "9fceb02d0ae598e95dc970b74767f19372d61af8"


def test_split_uuids_finds_whole_uuids_only() -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    text = json.dumps({"x": a, "m": f"attempt {b} of {a}", "glued": f"ab{a}", "short": a[:-1]}).encode()
    pieces = split_uuids(text)
    assert [p.decode() for p in pieces[1::2]] == [a, b, a]
    assert b"".join(pieces) == text
    assert split_uuids(a.encode()) == [b"", a.encode(), b""]
    assert split_uuids(b"no ids here") == [b"no ids here"]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet='0123456789abcdef-"{}:, xyz', max_size=120))
def test_split_uuids_agrees_with_the_plain_regex(text: str) -> None:
    data = text.encode()
    assert [p.decode() for p in split_uuids(data)[1::2]] == UUID_TEXT.findall(text)


def test_long_integers_are_detected() -> None:
    assert has_long_integer(b'{"n":1234567890123456789}')
    assert not has_long_integer(b'{"n":123456789012345678}')


def test_hex_runs_of_exactly_forty_with_a_letter() -> None:
    data = f'{{"merge_commit":"{SHA}","msg":"at {SHA} ok","n":{"1" * 40},"long":"{SHA}a"}}'.encode()
    assert replace_hex_runs(data, 40, b"<sha>") == (
        f'{{"merge_commit":"<sha>","msg":"at <sha> ok","n":{"1" * 40},"long":"{SHA}a"}}'.encode()
    )
    assert replace_hex_runs(b"none", 40, b"<sha>") == b"none"


def test_member_strings_only_match_member_names() -> None:
    members = MemberStrings(["created_at", "updated_at"])
    data = json.dumps(
        {
            "created_at": "A",
            "x": {"updated_at": "B", "s": '"created_at":"no"'},
            "xcreated_at": "C",
            "l": ["created_at"],
        },
        separators=(",", ":"),
    ).encode()
    assert members.replace(data, lambda v: b"<" + v + b">") == data.replace(b'"A"', b'"<A>"').replace(b'"B"', b'"<B>"')
    no_common_suffix = MemberStrings(["a", "bc"])
    assert no_common_suffix.replace(b'{"a":"1","bc":"2","c":"3"}', lambda v: b"#") == b'{"a":"#","bc":"#","c":"3"}'


def test_string_values_match_whole_strings_anywhere() -> None:
    values = StringValues(rb"[0-9]+")
    data = b'{"12":"34","a":["56","x7"],"b":"8 9"}'
    assert values.replace(data, lambda v: b"#") == b'{"#":"#","a":["#","x7"],"b":"8 9"}'
    assert values.replace(b'"42"', lambda v: b"#") == b'"#"'


def test_uuid_pieces_are_the_same_through_the_c_level_fixups() -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4()).upper()
    data = f'["{a}","x{b}","{a}-"," {b} "]'.encode()
    assert split_uuids(data) == [
        b'["',
        a.encode(),
        b'","x',
        b.encode(),
        b'","' + a.encode() + b'-"," ',
        b.encode(),
        b' "]',
    ]


def test_hex_runs_with_many_digits_in_a_row_can_be_left_alone() -> None:
    number_like = "1" * 38 + "e1"  # in unparsed JSON this may be a number, not a string
    mostly_digits = "a" + "1" * 39
    data = f'{{"n":{number_like},"s":"{SHA}","m":"{mostly_digits}"}}'.encode()
    assert (
        replace_hex_runs(data, 40, b"<sha>", max_digit_run=18)
        == f'{{"n":{number_like},"s":"<sha>","m":"{mostly_digits}"}}'.encode()
    )
    assert replace_hex_runs(data, 40, b"<sha>") == b'{"n":<sha>,"s":"<sha>","m":"<sha>"}'


def test_plain_values_are_replaced_all_at_once_and_the_rest_one_by_one() -> None:
    seen: list[bytes] = []

    def mark(value: bytes) -> bytes:
        seen.append(value)
        return b"<" + value + b">" if value.isdigit() else value

    members = MemberStrings(["n", "m"], plain=(rb"[0-9]+", b"<#>"))
    assert members.replace(b'{"n":"12","m":"34","x":"56"}', mark) == b'{"n":"<#>","m":"<#>","x":"56"}'
    assert seen == []  # every value was plain: no call
    assert members.replace(b'{"n":"12","m":"ab"}', mark) == b'{"n":"<12>","m":"ab"}'
    assert seen == [b"12", b"ab"]  # one value was not: every value goes through the function
    assert members.replace(b'{"x":"1"}', mark) == b'{"x":"1"}'
    values = StringValues(rb"[0-9a-z]+", plain=(rb"[0-9]+", b"<#>"))
    assert values.replace(b'{"12":["34","5"]}', mark) == b'{"<#>":["<#>","<#>"]}'
    assert values.replace(b'["12","ab"]', mark) == b'["<12>","ab"]'
    assert values.replace(b'"12"', mark) == b'"<12>"'


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["12", "7", "x1", "", "99"]), max_size=6))
def test_plain_replacement_agrees_with_the_function_alone(texts: list[str]) -> None:
    def mask(value: bytes) -> bytes:
        return b"<#>" if value.isdigit() else value

    data = json.dumps({f"k{i}": {"n": text} for i, text in enumerate(texts)}, separators=(",", ":")).encode()
    plain = MemberStrings(["n"], plain=(rb"[0-9]+", b"<#>"))
    assert plain.replace(data, mask) == MemberStrings(["n"]).replace(data, mask)


def test_the_extension_is_built_where_a_c_compiler_is() -> None:
    # Without it everything still works (the Python forms), only slower: a silent fallback on a machine
    # that can build it would hide a broken build.
    if shutil.which(sysconfig.get_config_var("CC").split()[0] or "cc") is None:
        pytest.skip("no C compiler here")
    assert scan.NATIVE
