from __future__ import annotations

import json
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

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
