from __future__ import annotations

import pytest

from comparators.tokens import UUID_TEXT, collapse_uuid_refs, token_family, ts_token, uuid_token


@pytest.mark.parametrize(
    ("value", "family"),
    [
        ("<uuid:1>", "uuid"),
        ("<uuid:42>", "uuid"),
        ("<ts>", "ts"),
        ("<ts:ms>", "ts"),
        ("<ts:rfc3339-s>", "ts"),
        ("<uuid>", None),
        ("<WORK>", None),
        ("x<ts>", None),
        ("2026-11-26T07:12:12Z", None),
        ("53664546-b4b5-7aa5-8b2e-881abe573ce0", "uuid"),  # an id kept literal (correlated on both sides)
        (3, None),
        (None, None),
    ],
)
def test_token_family(value: object, family: str | None) -> None:
    assert token_family(value) == family


def test_token_builders() -> None:
    assert uuid_token(3) == "<uuid:3>"
    assert ts_token() == "<ts>" and ts_token("ns") == "<ts:ns>"


def test_collapse_forgets_which_uuid_a_reference_is() -> None:
    raw = b'{"a":"<uuid:3>","b":"0d2c6e9a-59a3-4c9b-8b8e-4b4f0c9a3f10","c":"<uuid:12> x"}'
    assert collapse_uuid_refs(raw) == b'{"a":"<uuid>","b":"<uuid>","c":"<uuid> x"}'


def test_uuid_pattern_accepts_any_version_but_not_longer_hex() -> None:
    assert UUID_TEXT.fullmatch("53664546-b4b5-7aa5-8b2e-881abe573ce0")  # seeded template id: not v4
    assert UUID_TEXT.search("a53664546-b4b5-7aa5-8b2e-881abe573ce0") is None
