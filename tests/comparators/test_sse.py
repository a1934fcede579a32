from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comparators.sse import SseEvent, SseParser, format_sse, parse_sse, parse_sse_report

# The primary's framing, byte for byte as captured from vibe-kanban 0.0.71 (a raw-logs replay).
PRIMARY_RAW_LOGS = (
    b'event: json_patch\ndata: [{"op":"add","path":"/entries/0","value":{"content":"warn\\n","type":"STDERR"}}]\n\n'
    b'event: json_patch\ndata: [{"op":"add","path":"/entries/1","value":{"content":"setting up\\n","type":"STDOUT"}}]'
    b"\n\nevent: finished\ndata: \n\n"
)


def test_primary_framing() -> None:
    events = parse_sse(PRIMARY_RAW_LOGS)
    assert [e.event for e in events] == ["json_patch", "json_patch", "finished"]
    assert events[0].data.startswith('[{"op":"add","path":"/entries/0"')
    assert events[2] == SseEvent(event="finished", data="", id=None, retry=None)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_line_endings(newline: bytes) -> None:
    raw = newline.join([b"event: a", b"data: one", b"data: two", b"", b"data:x", b"", b""])
    assert parse_sse(raw) == [SseEvent(event="a", data="one\ntwo"), SseEvent(data="x")]


def test_fields_comments_and_unknown_names() -> None:
    raw = b": keep-alive\n:\nid: 7\nretry: 1500\nfoo: bar\nevent:  spaced\ndata\ndata:  two spaces\n\n"
    report = parse_sse_report(raw)
    # Only one space after the colon is removed; a bare "data" line is an empty data line.
    assert report.events == (SseEvent(event=" spaced", data="\n two spaces", id="7", retry=1500),)
    assert report.comments == 2
    assert not report.unterminated


def test_block_without_data_dispatches_nothing_but_sets_the_id() -> None:
    parser = SseParser()
    assert parser.feed(b"event: x\nid: 3\n\ndata: y\n\n") == [SseEvent(data="y")]
    assert parser.last_event_id == "3"


def test_invalid_id_and_retry_are_ignored() -> None:
    events = parse_sse(b"id: a\x00b\nretry: 12x\nretry: \xd9\xa3\nretry: " + b"9" * 5000 + b"\ndata: d\n\n")
    assert events == [SseEvent(data="d", id=None, retry=None)]


def test_bom_only_at_start() -> None:
    assert parse_sse(b"\xef\xbb\xbfdata: a\n\ndata: \xef\xbb\xbfb\n\n") == [
        SseEvent(data="a"),
        SseEvent(data="\ufeffb"),
    ]


def test_unterminated_last_event_is_dropped_and_reported() -> None:
    parser = SseParser()
    assert parser.feed(b"data: whole\n\nevent: finished\ndata: ") == [SseEvent(data="whole")]
    assert parser.close() == []
    assert parser.unterminated
    assert not parse_sse_report(b"data: whole\n\n").unterminated
    assert parse_sse_report(b"data: half\n").unterminated
    with pytest.raises(ValueError, match="after close"):
        parser.feed(b"data: more\n\n")


def test_chunk_boundaries_inside_crlf_and_utf8() -> None:
    raw = "data: héllo ✓\r\n\r\ndata: b\r\n\r\n".encode()
    parser = SseParser()
    events = []
    for i in range(len(raw)):
        events.extend(parser.feed(raw[i : i + 1]))
    events.extend(parser.close())
    assert events == [SseEvent(data="héllo ✓"), SseEvent(data="b")]
    assert not parser.unterminated


def test_cr_then_lf_in_the_next_chunk_is_one_line_break() -> None:
    parser = SseParser()
    assert parser.feed(b"data: a\r") == []
    assert parser.feed(b"\n") == []
    assert parser.feed(b"\r\n") == [SseEvent(data="a")]


def test_invalid_utf8_is_replaced() -> None:
    assert parse_sse(b"data: \xff\xfe ok\n\n") == [SseEvent(data="\ufffd\ufffd ok")]


def test_format_refuses_what_the_wire_cannot_carry() -> None:
    with pytest.raises(ValueError, match="line break"):
        format_sse([SseEvent(event="a\nb", data="")])
    with pytest.raises(ValueError, match="NUL"):
        format_sse([SseEvent(data="", id="a\x00")])
    with pytest.raises(ValueError, match="non-negative"):
        format_sse([SseEvent(data="", retry=-1)])


@settings(max_examples=300)
@given(st.binary(max_size=400), st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_never_raises_on_arbitrary_bytes(raw: bytes, cuts: list[int]) -> None:
    parser = SseParser()
    bounds = sorted({0, len(raw), *(min(c, len(raw)) for c in cuts)})
    events = []
    for start, end in itertools.pairwise(bounds):
        events.extend(parser.feed(raw[start:end]))
    events.extend(parser.close())
    assert events == parse_sse(raw)  # any chunking of any input parses the same as one feed


_names = st.text(st.characters(blacklist_characters="\r\n\x00", blacklist_categories=("Cs",)), min_size=1, max_size=12)
_data = st.text(st.characters(blacklist_characters="\r", blacklist_categories=("Cs",)), max_size=40)
_events = st.lists(
    st.builds(
        SseEvent,
        event=_names,
        data=_data,
        id=st.none() | _names,
        retry=st.none() | st.integers(min_value=0, max_value=10**9),
    ),
    max_size=8,
)


@settings(max_examples=200)
@given(_events, st.data())
def test_round_trip_through_the_writer_under_any_chunking(events: list[SseEvent], data: st.DataObject) -> None:
    raw = format_sse(events)
    # A leading BOM is part of the wire form a parser must accept; add it sometimes.
    if data.draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    cuts = sorted(data.draw(st.lists(st.integers(min_value=0, max_value=len(raw)), max_size=10)))
    parser = SseParser()
    parsed = []
    for start, end in zip([0, *cuts], [*cuts, len(raw)], strict=True):
        parsed.extend(parser.feed(raw[start:end]))
    parsed.extend(parser.close())
    assert parsed == events
    assert not parser.unterminated
