"""Replay: send a captured corpus to a primary and, through the same pipeline, to the candidate (offline, CI).

A capture is a HAR file (read by ``shadow.har``: ours, mitmproxy's ``hardump``, browsers') or a mitmproxy
flow dump. Flow dumps are converted to HAR by mitmdump itself (``mitmdump -nr DUMP --set hardump=...``)
rather than read with ``mitmproxy.io.FlowReader``: that keeps mitmproxy imported by ``shadow/addon.py``
alone, and the conversion is mitmproxy's own code either way.

Each captured request is sent to the primary in capture order; the primary's answer makes an
``Exchange`` that goes to ``Pipeline.submit`` (event streams through ``open_stream``, bounded by the stream
window), so lanes, id correlation, comparison and the store work exactly as behind the proxy. Ids in the
capture belong to the backend it was recorded against, so a second ``IdMap`` learns capture-id ->
primary-id pairs from the captured and the live answers and rewrites later captured requests with them.
"""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from comparators.message import HttpRequest, HttpResponse
from shadow.config import ShadowSettings
from shadow.correlation import IdMap
from shadow.errors import CaptureError, ConfigError
from shadow.launch import mitmdump_path
from shadow.models import Exchange
from shadow.pipeline import Pipeline
from shadow.service import build_pipeline
from shadow.tee import forwardable_headers

__all__ = ["Captured", "ReplayReport", "read_capture", "replay", "run_replay"]


@dataclass(frozen=True)
class Captured:
    """One captured exchange: the request, and what the capture-time backend answered (if anything)."""

    request: HttpRequest
    response: HttpResponse | None = None


@dataclass
class ReplayReport:
    sent: int = 0
    primary_errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # verdict -> exchanges
    drained: bool = True


def read_capture(path: Path) -> list[Captured]:
    """The exchanges of a HAR file or a mitmproxy flow dump, in capture order (``CaptureError`` if neither)."""
    try:
        head = path.read_bytes()[:1]
    except OSError as exc:
        raise CaptureError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if head.isdigit():  # a flow dump is a tnetstring stream: "<length>:..."
        with tempfile.TemporaryDirectory(prefix="parity-replay-") as tmp:
            return _read_har(_flows_to_har(path, Path(tmp) / "capture.har"))
    return _read_har(path)


def _read_har(path: Path) -> list[Captured]:
    from shadow.har import HarError, read_har

    try:
        capture = read_har(path)
    except HarError as exc:
        raise CaptureError(str(exc)) from None
    return [Captured(entry.request, entry.response) for entry in capture.entries]


def _flows_to_har(dump: Path, har: Path) -> Path:
    argv = [mitmdump_path(), "-q", "-n", "-r", str(dump), "--set", f"hardump={har}"]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not har.is_file():
        reason = " ".join((result.stderr or result.stdout or "no output").split())[:300]
        raise CaptureError(f"{dump}: not a HAR file nor a readable mitmproxy flow dump ({reason})")
    return har


async def run_replay(
    capture: Path,
    settings: ShadowSettings,
    *,
    on_total: Callable[[int], None] | None = None,
    advance: Callable[[int], None] | None = None,
) -> ReplayReport:
    """``parity replay``: read the capture, build the in-process pipeline, replay, stop (store flushed)."""
    if settings.primary is None:
        raise ConfigError("replay needs the primary's URL (--primary)")
    captured = read_capture(capture)
    if on_total is not None:
        on_total(len(captured))
    pipeline = build_pipeline(settings)
    await pipeline.start()
    try:
        return await replay(captured, primary=settings.primary, pipeline=pipeline, advance=advance)
    finally:
        await pipeline.stop()


async def replay(
    captured: Sequence[Captured],
    *,
    primary: str,
    pipeline: Pipeline,
    advance: Callable[[int], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    drain_timeout: float = 120.0,
) -> ReplayReport:
    """Send ``captured`` to ``primary`` one by one, each answer into ``pipeline``; wait until judged."""
    report = ReplayReport()
    capture_ids = IdMap()
    window = pipeline.settings.stream
    timeout = httpx.Timeout(60.0, read=None)
    async with httpx.AsyncClient(base_url=primary, transport=transport, timeout=timeout, trust_env=False) as client:
        for item in captured:
            request = capture_ids.rewrite(item.request)
            try:
                answer = await _send(client, pipeline, request, window.max_seconds, window.max_bytes)
            except httpx.HTTPError as exc:
                report.primary_errors.append(f"{request.method} {request.path}: {type(exc).__name__}: {exc}")
            else:
                report.sent += 1
                if item.response is not None:
                    capture_ids.learn_responses(item.response, answer)
            if advance is not None:
                advance(1)
    report.drained = await pipeline.drain(drain_timeout)
    report.counts = dict(pipeline.counts)
    return report


async def _send(
    client: httpx.AsyncClient, pipeline: Pipeline, request: HttpRequest, seconds: float, max_bytes: int
) -> HttpResponse:
    exchange_id = uuid.uuid4().hex
    started = time.time()
    url = request.path + (f"?{request.query}" if request.query else "")
    built = client.build_request(
        request.method, url, headers=forwardable_headers(request.headers), content=request.body
    )
    response = await client.send(built, stream=True)
    try:
        head = HttpResponse(status=response.status_code, headers=tuple(response.headers.multi_items()))
        if "text/event-stream" not in response.headers.get("content-type", ""):
            body = await response.aread()
            answer = head.model_copy(update={"body": body, "elapsed_ms": (time.time() - started) * 1000})
            pipeline.submit(
                Exchange(id=exchange_id, started_at=started, completed_at=time.time(), request=request, primary=answer)
            )
            return answer
        ticket = pipeline.open_stream(request, head, exchange_id=exchange_id)
        body, complete = await _read_window(response, seconds, max_bytes)
        if ticket is not None:
            ticket.finish(body, complete)
        return head.model_copy(update={"body": body, "complete": complete})
    finally:
        await response.aclose()


async def _read_window(response: httpx.Response, seconds: float, max_bytes: int) -> tuple[bytes, bool]:
    buffer = bytearray()
    try:
        async with asyncio.timeout(seconds):
            async for chunk in response.aiter_bytes():
                buffer += chunk[: max_bytes - len(buffer)]
                if len(buffer) >= max_bytes:
                    return bytes(buffer), False
        return bytes(buffer), True
    except TimeoutError:
        return bytes(buffer), False
