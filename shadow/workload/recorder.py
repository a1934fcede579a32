"""Record every exchange an ``httpx`` client makes, as HAR entries, without changing what the client sees.

:class:`RecordingTransport` wraps the real transport. It hands the response back at once and wraps its body
stream; the entry is recorded when the body is closed, with exactly the bytes the client consumed. So a
windowed read of a never-ending SSE stream records what was read and ``complete=False``, and a normal
request records the whole body. Nothing is buffered twice and no request is delayed.

:class:`HarRecorder` collects the entries (thread-safe: a stream may be read while other requests run) and
builds the :class:`shadow.har.HarCapture`, ordered by start time like browsers and mitmproxy do.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx

from comparators.message import HttpRequest, HttpResponse
from shadow.har import REQUEST_ID_HEADER, REQUEST_POLL_HEADER, HarCapture, HarEntry, write_har

__all__ = ["HarRecorder", "RecordingTransport"]

# 0.0.71 answers some requests without reading their body (a 404 from a model loader) and closes the
# connection; when the request's last bytes arrive after that close, the kernel resets the connection and
# the answer is lost ("Server disconnected without sending a response"): now and then, under load, even on a
# fresh connection. A request of an idempotent method is then sent once more; a POST or PATCH never is (it
# could act twice). Only the attempt that got an answer is recorded; the retry is noted in ``retries``.
_RETRIED_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_LOST_ANSWER = (httpx.RemoteProtocolError, httpx.ReadError)


class HarRecorder:
    """Collects :class:`HarEntry` objects for one backend; ``prefixes`` are the per-side paths to mask."""

    def __init__(self, *, backend: str, base_url: str) -> None:
        self.backend = backend
        self.base_url = base_url.rstrip("/")
        self.prefixes: dict[str, str] = {}
        self._entries: list[tuple[int, HarEntry]] = []
        self._lock = threading.Lock()
        self._sequence = 0
        self.retries: list[str] = []  # "METHOD path: error" of each attempt whose answer was lost and resent

    def next_sequence(self) -> int:
        """A ticket taken when a request starts, so entries sort by start even if they finish out of order."""
        with self._lock:
            self._sequence += 1
            return self._sequence

    def add(self, entry: HarEntry, *, sequence: int | None = None) -> None:
        with self._lock:
            self._entries.append((sequence if sequence is not None else 1 << 62, entry))

    def note_retry(self, what: str) -> None:
        with self._lock:
            self.retries.append(what)

    def set_prefix(self, name: str, value: str) -> None:
        """Record a per-side path prefix (``WORK``, ``HOME``, ``WORKTREES``) for the comparison to mask."""
        if value:
            with self._lock:
                self.prefixes[name] = value.rstrip("/") or "/"

    @property
    def entries(self) -> list[HarEntry]:
        with self._lock:
            return [entry for _, entry in sorted(self._entries, key=lambda pair: pair[0])]

    def capture(self) -> HarCapture:
        return HarCapture(
            entries=tuple(self.entries),
            creator="vk-parity workload",
            creator_version="1",
            backend=self.backend,
            base_url=self.base_url,
            prefixes=dict(self.prefixes),
        )

    def write(self, path: Path) -> Path:
        return write_har(path, self.capture())


class RecordingTransport(httpx.BaseTransport):
    """An ``httpx`` transport that records each exchange into ``recorder`` when its body is closed."""

    def __init__(self, recorder: HarRecorder, inner: httpx.BaseTransport | None = None) -> None:
        self.recorder = recorder
        self._inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sequence = self.recorder.next_sequence()
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        captured = _capture_request(request)
        try:
            try:
                response = self._inner.handle_request(request)
            except _LOST_ANSWER as exc:
                if request.method not in _RETRIED_METHODS:
                    raise
                self.recorder.note_retry(f"{request.method} {request.url.path}: {type(exc).__name__}: {exc}")
                response = self._inner.handle_request(request)
        except httpx.HTTPError as exc:
            self.recorder.add(
                _entry(request, captured, None, started_at, _elapsed_ms(started), error=f"{type(exc).__name__}: {exc}"),
                sequence=sequence,
            )
            raise

        def finished(body: bytes, complete: bool) -> None:
            elapsed = _elapsed_ms(started)
            recorded = HttpResponse(
                status=response.status_code,
                headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw),
                body=body,
                complete=complete,
                elapsed_ms=elapsed,
            )
            self.recorder.add(_entry(request, captured, recorded, started_at, elapsed), sequence=sequence)

        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_RecordingStream(response.stream, finished),  # type: ignore[arg-type]
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


class _RecordingStream(httpx.SyncByteStream):
    """Passes chunks through unchanged and reports the bytes read once, when closed."""

    def __init__(self, inner: httpx.SyncByteStream, finished: Callable[[bytes, bool], None]) -> None:
        self._inner = inner
        self._finished = finished
        self._chunks: list[bytes] = []
        self._exhausted = False
        self._reported = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._chunks.append(chunk)
            yield chunk
        self._exhausted = True

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            if not self._reported:
                self._reported = True
                self._finished(b"".join(self._chunks), self._exhausted)


def _capture_request(request: httpx.Request) -> HttpRequest:
    body = request.read()
    return HttpRequest(
        method=request.method,
        path=request.url.path,
        query=request.url.query.decode("ascii", errors="replace"),
        headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw),
        body=body,
    )


def _entry(
    request: httpx.Request,
    captured: HttpRequest,
    response: HttpResponse | None,
    started_at: datetime,
    elapsed_ms: float,
    *,
    error: str | None = None,
) -> HarEntry:
    poll = request.headers.get(REQUEST_POLL_HEADER)
    return HarEntry(
        started_at=started_at,
        time_ms=elapsed_ms,
        url=str(request.url),
        request=captured,
        response=response,
        request_id=request.headers.get(REQUEST_ID_HEADER),
        poll=int(poll) if poll and poll.isdigit() else None,
        error=error,
    )


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 3)
