"""StreamRecorder: taps an event stream on its way to the client without changing it.

mitmproxy calls ``flow.response.stream`` with every chunk as it arrives and once more with ``b""`` at
the end of the stream; whatever the callable returns is what the client gets. The recorder returns each
chunk object unchanged (no copy, no delay) and keeps a bounded copy: at most ``max_bytes``, for at most
``max_seconds``. When the stream ends, the byte budget is spent, the time window closes (a timer, since a
stalled stream never calls us again) or the flow errors, it hands the recording to ``on_close`` exactly
once and from then on only passes chunks through.

``StreamTicket`` is the pipeline's end of it: the recording arrives through ``finish`` while the mirrored
stream is already being read from the candidate, so both windows overlap.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from comparators.message import HttpResponse
from shadow.config import StreamSettings

__all__ = ["StreamRecorder", "StreamTicket"]

log = logging.getLogger(__name__)

OnClose = Callable[[bytes, bool], None]  # (recorded bytes, complete: the server ended the stream in the window)


class StreamRecorder:
    def __init__(self, window: StreamSettings, on_close: OnClose, *, loop: asyncio.AbstractEventLoop | None = None):
        self._max_bytes = window.max_bytes
        self._on_close = on_close
        self._buffer = bytearray()
        self._closed = False
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
        self._timer = loop.call_later(window.max_seconds, self._close, False) if loop is not None else None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def recorded(self) -> bytes:
        return bytes(self._buffer)

    def __call__(self, chunk: bytes) -> bytes:
        if not self._closed:
            if chunk == b"":
                self._close(True)
            else:
                room = self._max_bytes - len(self._buffer)
                self._buffer += chunk[:room]
                if len(chunk) > room:
                    self._close(False)
        return chunk

    def abort(self) -> None:
        """The flow failed (client went away, server broke the stream): hand over what was recorded."""
        self._close(False)

    def _close(self, complete: bool) -> None:
        if self._closed:
            return
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
        try:
            self._on_close(bytes(self._buffer), complete)
        except Exception:  # the client's stream must go on whatever the shadow does
            log.exception("shadow: handing over a recorded stream failed")


class StreamTicket:
    """The primary's side of a mirrored event stream; ``finish`` it with what the recorder kept."""

    def __init__(self, status: int, headers: tuple[tuple[str, str], ...]) -> None:
        self._status = status
        self._headers = headers
        self._future: asyncio.Future[tuple[HttpResponse, float]] = asyncio.get_running_loop().create_future()

    def finish(self, body: bytes, complete: bool) -> None:
        if not self._future.done():
            response = HttpResponse(status=self._status, headers=self._headers, body=body, complete=complete)
            self._future.set_result((response, time.time()))

    async def primary(self, timeout: float) -> tuple[HttpResponse, float]:
        return await asyncio.wait_for(asyncio.shield(self._future), timeout)
