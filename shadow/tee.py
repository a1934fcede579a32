"""The candidate leg: build the mirrored request and send it, with a hard timeout.

``mirror_request`` is pure: it rewrites ids through the correlation map, applies the literal rewrites and
the candidate's header rules, drops hop-by-hop headers, and adds our loop-guard marker, the idempotency
key on writes and (opt-in) the primary's created id. ``CandidateClient`` sends it over an
``httpx.AsyncClient``; the default transport is httpx-aiohttp (about a tenth of httpx's own transport's CPU
per request, see the README's benchmark), and tests pass ``httpx.MockTransport``. Every failure becomes a
``CandidateOutcome`` with a kind (timeout, refused, reset, protocol, other), never an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import time
from collections.abc import Iterable
from urllib.parse import quote

import aiohttp
import httpx

from comparators.headers import HOP_BY_HOP
from comparators.message import Headers, HttpRequest, HttpResponse
from shadow.config import HeaderRule, ShadowSettings, StreamSettings
from shadow.correlation import IdMap
from shadow.errors import CandidateErrorKind
from shadow.models import CandidateOutcome

__all__ = [
    "CandidateClient",
    "apply_header_rules",
    "classify_error",
    "forwardable_headers",
    "idempotency_key",
    "mirror_request",
]

# Never forwarded as they came: connection-level headers, and the ones the client library recomputes.
_NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length"}
_TEXT_TYPES = ("application/json", "application/x-www-form-urlencoded", "text/")


def idempotency_key(exchange_id: str) -> str:
    """Derived from the exchange, so every resend of the same mirrored write carries the same key."""
    return hashlib.sha256(f"shadow:{exchange_id}".encode()).hexdigest()[:32]


def forwardable_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers of a captured request that may be sent again (no hop-by-hop or recomputed ones)."""
    return [(key, value) for key, value in headers if key.lower() not in _NOT_FORWARDED]


def apply_header_rules(headers: Iterable[tuple[str, str]], rules: Iterable[HeaderRule], target: str) -> Headers:
    """Headers after ``target``'s rules: a rule with a value replaces every header of that name, without
    one it removes them."""
    result = list(headers)
    for rule in rules:
        if rule.target != target:
            continue
        name = rule.name.lower()
        result = [(key, value) for key, value in result if key.lower() != name]
        if rule.value is not None:
            result.append((rule.name, rule.value))
    return tuple(result)


def mirror_request(
    request: HttpRequest,
    settings: ShadowSettings,
    *,
    exchange_id: str,
    write: bool,
    ids: IdMap | None = None,
    primary_id: str | None = None,
) -> HttpRequest:
    """The request the candidate gets for this exchange."""
    if ids is not None:
        request = ids.rewrite(request)
    path, query, body = request.path, request.query, request.body
    content_type = (request.header("content-type") or "").lower()
    for old, new in settings.candidate_rewrites.items():
        path, query = path.replace(old, new), query.replace(old, new)
        for safe in ("", "/"):  # a query value may carry the text percent-encoded, "/" encoded or not
            query = query.replace(quote(old, safe=safe), quote(new, safe=safe))
        if body and content_type.startswith(_TEXT_TYPES):
            body = body.replace(old.encode(), new.encode())
    ours = {settings.loop_guard_header.lower(), settings.idempotency_header.lower(), settings.primary_id_header.lower()}
    headers = [(key, value) for key, value in forwardable_headers(request.headers) if key.lower() not in ours]
    headers.append((settings.loop_guard_header, "1"))
    if write:
        headers.append((settings.idempotency_header, idempotency_key(exchange_id)))
        if settings.primary_id_hint and primary_id is not None:
            headers.append((settings.primary_id_header, primary_id))
    mirrored = apply_header_rules(headers, settings.header_rules, "candidate")
    return request.model_copy(update={"path": path, "query": query, "body": body, "headers": mirrored})


def classify_error(exc: BaseException) -> CandidateErrorKind:
    """How a call failed, judged from the innermost cause first (transports wrap each other's errors:
    httpx-aiohttp even reports a broken connection as ``ConnectTimeout``)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for error in reversed(chain):
        kind = _kind_of(error)
        if kind is not None:
            return kind
    return "other"


def _kind_of(error: BaseException) -> CandidateErrorKind | None:
    if isinstance(error, ConnectionRefusedError | aiohttp.ClientConnectorError | httpx.ConnectError):
        return "refused"
    if isinstance(error, ConnectionResetError | BrokenPipeError | aiohttp.ServerDisconnectedError):
        return "reset"
    if isinstance(error, OSError) and error.errno in (errno.ECONNRESET, errno.EPIPE):
        return "reset"
    if isinstance(error, aiohttp.ClientPayloadError | aiohttp.ClientResponseError | httpx.RemoteProtocolError):
        return "protocol"
    if isinstance(error, httpx.DecodingError):
        return "protocol"
    if isinstance(error, TimeoutError | httpx.TimeoutException | aiohttp.ServerTimeoutError):
        return "timeout"
    return None


def default_transport() -> httpx.AsyncBaseTransport:
    from httpx_aiohttp import AiohttpTransport

    limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)

    def session() -> aiohttp.ClientSession:
        # aiohttp gives every POST/PUT without a Content-Type "application/octet-stream"; the candidate must
        # get the client's headers as they were (0.0.71 answers a bodyless POST /rebase carrying it with 415).
        connector = aiohttp.TCPConnector(limit=limits.max_connections or 0, keepalive_timeout=limits.keepalive_expiry)
        return aiohttp.ClientSession(connector=connector, skip_auto_headers=("Content-Type",))

    return AiohttpTransport(limits=limits, client=session)


class CandidateClient:
    """Sends mirrored requests to one candidate. One per pipeline; close it with ``aclose``."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        connect_retries: int = 0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._timeout = timeout
        self._connect_retries = connect_retries
        self._transport = transport or default_transport()
        # The client builds the requests (base URL, default headers, timeouts as request extensions); they go
        # to its transport directly. Its send() would add what a mirror must not have or does not need:
        # a cookie jar that keeps the candidate's Set-Cookie and adds it to later requests that had none
        # (a mirrored request carries exactly the client's Cookie header), redirects (off), auth and event
        # hooks (none): layers of Python on every exchange (cProfile of the worker: send() took about twice
        # the time of the transport call inside it).
        self._client = httpx.AsyncClient(
            base_url=base_url,
            transport=self._transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, request: HttpRequest) -> CandidateOutcome:
        """The complete answer, or why there is none. Resends only when the connection was refused (the
        request provably never arrived), up to ``connect_retries`` times."""
        started = time.perf_counter()
        attempt = 0
        while True:
            try:
                async with asyncio.timeout(self._timeout):
                    response = await self._transport.handle_async_request(self._build(request))
                    try:
                        body = await response.aread()
                    finally:
                        await response.aclose()
                return CandidateOutcome(response=_response(response, body, True), elapsed_ms=_ms(started))
            except Exception as exc:
                kind = classify_error(exc)
                if kind == "refused" and attempt < self._connect_retries:
                    attempt += 1
                    await asyncio.sleep(0.05 * attempt)
                    continue
                return _failure(kind, exc, started)

    async def stream(self, request: HttpRequest, window: StreamSettings) -> CandidateOutcome:
        """Read an event stream for at most the window (bytes and seconds); ``complete`` says whether the
        candidate ended it inside the window."""
        started = time.perf_counter()
        buffer = bytearray()
        try:
            async with asyncio.timeout(self._timeout):  # for the headers; then only the window bounds the body
                response = await self._transport.handle_async_request(self._build(request, read_timeout=None))
        except Exception as exc:
            return _failure(classify_error(exc), exc, started)
        complete = False
        try:
            async with asyncio.timeout(window.max_seconds):
                async for chunk in response.aiter_bytes():
                    buffer += chunk[: window.max_bytes - len(buffer)]
                    if len(buffer) >= window.max_bytes:
                        break
                else:
                    complete = True
        except TimeoutError:
            pass  # the window closed: what was read is the answer
        except Exception as exc:
            kind = classify_error(exc)
            return CandidateOutcome(
                response=_response(response, bytes(buffer), False),
                error=kind,
                detail=f"stream broke after {len(buffer)} bytes: {_describe(exc)}",
                elapsed_ms=_ms(started),
            )
        finally:
            with contextlib.suppress(Exception):
                await response.aclose()
        return CandidateOutcome(response=_response(response, bytes(buffer), complete), elapsed_ms=_ms(started))

    def _build(self, request: HttpRequest, *, read_timeout: float | None = -1.0) -> httpx.Request:
        url = request.path + (f"?{request.query}" if request.query else "")
        timeout = (
            httpx.Timeout(self._timeout) if read_timeout == -1.0 else httpx.Timeout(self._timeout, read=read_timeout)
        )
        return self._client.build_request(
            request.method, url, headers=list(request.headers), content=request.body, timeout=timeout
        )


def _response(response: httpx.Response, body: bytes, complete: bool) -> HttpResponse:
    return HttpResponse(
        status=response.status_code,
        headers=tuple(response.headers.multi_items()),
        body=body,
        complete=complete,
        elapsed_ms=None,
    )


def _failure(kind: CandidateErrorKind, exc: BaseException, started: float) -> CandidateOutcome:
    return CandidateOutcome(error=kind, detail=_describe(exc), elapsed_ms=_ms(started))


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())  # one line: some transports put the offending bytes on lines of their own
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
