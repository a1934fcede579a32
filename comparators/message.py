"""The two answers to compare, as plain frozen data (no HTTP library, no mitmproxy)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict

__all__ = ["Headers", "HttpRequest", "HttpResponse", "find_header"]

Headers = tuple[tuple[str, str], ...]


class HttpRequest(BaseModel):
    """A request as the client sent it. ``path`` excludes the query string; header names keep their case."""

    model_config = ConfigDict(frozen=True)

    method: str
    path: str
    query: str = ""
    headers: Headers = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return find_header(self.headers, name)


class HttpResponse(BaseModel):
    """A response. For an SSE stream ``body`` holds the raw event-stream bytes that were read, and
    ``complete`` is False when a window closed before the server ended the stream."""

    model_config = ConfigDict(frozen=True)

    status: int
    headers: Headers = ()
    body: bytes = b""
    complete: bool = True
    elapsed_ms: float | None = None

    def header(self, name: str) -> str | None:
        return find_header(self.headers, name)

    @property
    def content_type(self) -> str:
        return _content_type(self.headers)

    @property
    def is_event_stream(self) -> bool:
        return self.content_type == "text/event-stream"


def find_header(headers: Headers, name: str) -> str | None:
    """The first header of that name (case-insensitive), or None."""
    wanted = name.lower()
    for key, value in headers:
        if key.lower() == wanted:
            return value
    return None


# Read several times per comparison (JSON or not, event stream or not, per side), and a pure function of the
# headers: remembered by value (not on the instance: ``model_copy(update=...)`` would carry a stale one over).
@lru_cache(maxsize=1024)
def _content_type(headers: Headers) -> str:
    return (find_header(headers, "content-type") or "").split(";")[0].strip().lower()
