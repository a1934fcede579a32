from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comparators.timestamps import TimestampClass, classify_timestamp, mask_timestamp_bytes, timestamp_token


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # the three write paths of the primary (CONTRACT §2, corrections item 10), as it prints them
        ("2026-11-26T07:12:12.517Z", TimestampClass("autosi", "ms")),
        ("2026-11-26T07:12:34Z", TimestampClass("autosi", "s")),
        ("2026-11-26T07:12:12.595270310Z", TimestampClass("autosi", "ns")),
        # AutoSi drops trailing zero groups: a ns value can print with 6 digits
        ("2026-11-26T07:38:19.709856Z", TimestampClass("autosi", "us")),
        # valid RFC 3339, but not the primary's spelling
        ("2026-11-26T07:12:12+00:00", TimestampClass("rfc3339", "s")),
        ("2026-11-26T07:12:12.5Z", TimestampClass("rfc3339", "1-digit")),
        ("2026-11-26t07:12:12z", TimestampClass("rfc3339", "s")),
        ("2024-02-29T00:00:00Z", TimestampClass("autosi", "s")),
    ],
)
def test_classify_timestamp(value: str, expected: TimestampClass) -> None:
    assert classify_timestamp(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "nope",
        "2026-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2026-11-26 07:12:12Z",
        "2026-11-26T07:12:12",
        "1764140000",
        "२०२६-11-26T07:12:12Z",
    ],
)
def test_non_timestamps_have_no_class(value: str) -> None:
    assert classify_timestamp(value) is None
    assert timestamp_token(value) is None


def test_tokens_keep_the_family_and_optionally_the_precision() -> None:
    assert timestamp_token("2026-11-26T07:12:12.517Z") == "<ts>"
    assert timestamp_token("2026-11-26T07:12:34Z") == "<ts>"
    assert timestamp_token("2026-11-26T07:12:12+00:00") == "<ts:rfc3339>"
    assert timestamp_token("2026-11-26T07:12:12.517Z", exact=True) == "<ts:ms>"
    assert timestamp_token("2026-11-26T07:12:12.595270310Z", exact=True) == "<ts:ns>"
    assert timestamp_token("2026-11-26T07:12:12+00:00", exact=True) == "<ts:rfc3339-s>"


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 12, 31)),
    st.sampled_from(["", ".000", ".123", ".123456", ".123456789", ".5", "+00:00"]),
)
def test_fast_byte_path_agrees_with_the_exact_classifier(moment: datetime, tail: str) -> None:
    text = moment.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S") + (tail if tail == "+00:00" else tail + "Z")
    expected = timestamp_token(text)
    assert expected is not None
    assert mask_timestamp_bytes(text.encode()) == expected.encode()
    assert mask_timestamp_bytes(text.encode(), exact=True) == timestamp_token(text, exact=True).encode()  # type: ignore[union-attr]


def test_a_non_timestamp_is_left_unchanged_by_the_byte_mask() -> None:
    assert mask_timestamp_bytes(b"2026-02-30T00:00:00Z") == b"2026-02-30T00:00:00Z"
    assert mask_timestamp_bytes(b"soon") == b"soon"
