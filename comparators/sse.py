"""Server-Sent Events: an incremental parser that follows the WHATWG ``text/event-stream`` rules, and a writer.

The parser takes bytes exactly as they came off the wire, in chunks cut anywhere (inside a line, between the
``\\r`` and ``\\n`` of a CRLF, inside a UTF-8 sequence), and never raises: invalid UTF-8 becomes U+FFFD.
What the spec leaves to the caller is kept as counters: comment lines (keep-alives) and whether ``close()``
had to drop an unterminated last event.

One deliberate choice: ``SseEvent.id`` is the ``id:`` field *of that event* (None when the block had none),
not the browser's persistent ``lastEventId``; that value is on ``SseParser.last_event_id``. For comparing
what two servers sent, the field as written is the useful fact.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

__all__ = ["SseEvent", "SseParse", "SseParser", "format_sse", "parse_sse", "parse_sse_report"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BOM = "\ufeff"


class SseEvent(BaseModel):
    """One dispatched event. ``data`` is the ``data:`` lines joined with ``\\n``."""

    model_config = ConfigDict(frozen=True)

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None


class SseParse(BaseModel):
    """A whole stream parsed at once: the events plus what the parser had to count or drop."""

    model_config = ConfigDict(frozen=True)

    events: tuple[SseEvent, ...]
    comments: int  # ``:`` lines, e.g. axum's keep-alives
    unterminated: bool  # the stream ended inside an event (or a line): that part was dropped


class SseParser:
    """Feed chunks as they arrive; each ``feed`` returns the events completed by that chunk."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._tail = ""  # text after the last line break: an unfinished line
        self._skip_lf = False  # the previous chunk ended with CR: a leading LF belongs to that CRLF
        self._started = False  # the BOM is only stripped at the very start of the stream
        self._event = ""
        self._data: list[str] = []
        self._has_data = False
        self._id: str | None = None
        self._retry: int | None = None
        self._pending_fields = False  # any field seen since the last blank line (for ``unterminated``)
        self.comments = 0
        self.last_event_id = ""
        self.retry: int | None = None
        self.unterminated = False
        self.closed = False

    def feed(self, chunk: bytes) -> list[SseEvent]:
        if self.closed:
            raise ValueError("feed() after close()")
        return self._consume(self._decoder.decode(chunk))

    def close(self) -> list[SseEvent]:
        """End of stream. Per the spec an event without its blank line is discarded (``unterminated`` says
        so); the returned list is therefore always empty, kept for symmetry with ``feed``."""
        if self.closed:
            return []
        events = self._consume(self._decoder.decode(b"", final=True))
        self.closed = True
        if self._tail or self._pending_fields:
            self.unterminated = True
        self._tail = ""
        self._reset_event()
        return events

    def _consume(self, text: str) -> list[SseEvent]:
        if not text:
            return []
        if not self._started:
            self._started = True
            if text.startswith(_BOM):
                text = text[1:]
        if self._skip_lf:
            self._skip_lf = False
            if text.startswith("\n"):
                text = text[1:]
        text = self._tail + text
        if text.endswith("\r"):
            # Might be half of a CRLF: end the line here and swallow a LF that opens the next chunk.
            lines = _split_lines(text[:-1])
            self._tail = ""
            self._skip_lf = True
        else:
            lines = _split_lines(text)
            self._tail = lines.pop()
        events: list[SseEvent] = []
        for line in lines:
            if line.startswith("data:"):  # the hot path: most lines of a patch stream are data lines
                self._data.append(line[6:] if line.startswith("data: ") else line[5:])
                self._has_data = self._pending_fields = True
                continue
            event = self._line(line)
            if event is not None:
                events.append(event)
        return events

    def _line(self, line: str) -> SseEvent | None:
        if not line:
            return self._dispatch()
        if line[0] == ":":
            self.comments += 1
            return None
        self._pending_fields = True
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\x00" not in value:
                self._id = value
                self.last_event_id = value
        elif name == "retry":
            retry = _parse_retry(value)
            if retry is not None:
                self._retry = retry
                self.retry = retry
        # Any other field name is ignored, as the spec says.
        return None

    def _dispatch(self) -> SseEvent | None:
        if not self._has_data:
            # A block without data dispatches nothing; its id/retry already took effect above.
            self._reset_event()
            return None
        event = SseEvent(event=self._event or "message", data="\n".join(self._data), id=self._id, retry=self._retry)
        self._reset_event()
        return event

    def _reset_event(self) -> None:
        self._event = ""
        self._data = []
        self._has_data = False
        self._id = None
        self._retry = None
        self._pending_fields = False


def _split_lines(text: str) -> list[str]:
    # Same as _LINE_BREAK.split(text), several times faster on the common LF-only stream.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _parse_retry(value: str) -> int | None:
    if not value or not (value.isascii() and value.isdigit()):
        return None
    try:
        return int(value)
    except ValueError:  # more digits than Python converts by default: not a usable delay anyway
        return None


def parse_sse_report(raw: bytes) -> SseParse:
    parser = SseParser()
    events = parser.feed(raw)
    events.extend(parser.close())
    return SseParse(events=tuple(events), comments=parser.comments, unterminated=parser.unterminated)


def parse_sse(raw: bytes) -> list[SseEvent]:
    """All complete events of a captured stream (an unterminated last event is dropped)."""
    return list(parse_sse_report(raw).events)


def format_sse(events: Iterable[SseEvent]) -> bytes:
    """The wire form of ``events`` (LF line endings), such that ``parse_sse(format_sse(e)) == e`` for events
    whose data has no CR. Raises ValueError for what the format cannot carry (a line break in a name or id)."""
    out: list[str] = []
    for event in events:
        if _LINE_BREAK.search(event.event) or _LINE_BREAK.search(event.id or ""):
            raise ValueError(f"an SSE event name or id cannot contain a line break: {event!r}")
        if event.id is not None and "\x00" in event.id:
            raise ValueError(f"an SSE id cannot contain NUL: {event!r}")
        if event.event and event.event != "message":
            out.append(f"event: {event.event}\n")
        if event.id is not None:
            out.append(f"id: {event.id}\n")
        if event.retry is not None:
            if event.retry < 0:
                raise ValueError(f"retry must be a non-negative integer: {event!r}")
            out.append(f"retry: {event.retry}\n")
        out.extend(f"data: {line}\n" for line in _LINE_BREAK.split(event.data))
        out.append("\n")
    return "".join(out).encode()
