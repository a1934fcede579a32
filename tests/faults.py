"""A faulty candidate for tests: a tiny asyncio HTTP server that misbehaves in one chosen way.

Modes: ``ok`` (200 JSON envelope), ``slow`` (answers after ``delay`` seconds), ``reset`` (reads the request,
then aborts the connection with RST), ``error500`` (a 500 envelope), ``garbage`` (bytes that are not
HTTP), ``stall`` (sends the headers and one chunk, then nothing: a stalled stream or body), ``sse`` (a
short event stream that ends), and two that pass the request on to a real ``upstream`` first:
``forward_slow`` (answers ``delay`` seconds after the upstream did) and ``forward_reset`` (resets the
connection once the upstream has answered). ``refused`` needs no server: ``refused_url()`` is a port
nobody listens on.
Every request it read is kept in ``requests`` (method, target, headers, body) for assertions.

It runs on the caller's event loop (``async with FaultServer(...)``) or, for synchronous tests, on a
thread of its own (``with FaultServer(...).in_thread()``). Loopback only, ports chosen by the OS.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Self

import httpx

__all__ = ["FaultServer", "ReceivedRequest", "refused_url"]

Mode = Literal["ok", "slow", "reset", "error500", "garbage", "stall", "sse", "forward_slow", "forward_reset"]
OK_BODY = b'{"success":true,"data":null,"error_data":null,"message":null}'
ERROR_BODY = b'{"success":false,"data":null,"error_data":null,"message":"CandidateError: injected"}'


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FaultServer:
    mode: Mode
    delay: float = 2.0
    upstream: str | None = None
    requests: list[ReceivedRequest] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @contextlib.contextmanager
    def in_thread(self) -> Iterator[Self]:
        """Run on a private event loop in a thread (for synchronous tests); stopped on exit."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name=f"fault server {self.mode}", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.start(), loop).result(5)
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(5)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                self.requests.append(request)
                if not await self._answer(request, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._writers.discard(writer)
            if not writer.is_closing():
                writer.close()

    async def _answer(self, request: ReceivedRequest, writer: asyncio.StreamWriter) -> bool:
        """Write this mode's answer; False when the connection must not be reused."""
        if self.mode in ("forward_slow", "forward_reset"):
            return await self._forward(request, writer)
        if self.mode == "reset":
            _reset(writer)
            return False
        if self.mode == "garbage":
            writer.write(b"HELLO THIS IS NOT HTTP\r\n\x00\x01\x02\r\n\r\n")
            await writer.drain()
            return False
        if self.mode == "stall":
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                + _chunk(b"event: json_patch\ndata: []\n\n")
            )
            await writer.drain()
            await asyncio.sleep(3600)
            return False
        if self.mode == "sse":
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
            for event in (b"event: json_patch\ndata: []\n\n", b"event: finished\ndata: \n\n"):
                writer.write(_chunk(event))
                await writer.drain()
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            return True
        if self.mode == "slow":
            await asyncio.sleep(self.delay)
        status, body = (b"500 Internal Server Error", ERROR_BODY) if self.mode == "error500" else (b"200 OK", OK_BODY)
        writer.write(
            b"HTTP/1.1 "
            + status
            + b"\r\ncontent-type: application/json\r\ncontent-length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        await writer.drain()
        return True

    async def _forward(self, request: ReceivedRequest, writer: asyncio.StreamWriter) -> bool:
        assert self.upstream is not None, "forwarding modes need an upstream"
        headers = {k: v for k, v in request.headers.items() if k not in ("host", "content-length", "connection")}
        async with httpx.AsyncClient(base_url=self.upstream, timeout=30) as client:
            answer = await client.request(request.method, request.target, headers=headers, content=request.body)
        if self.mode == "forward_reset":
            _reset(writer)
            return False
        await asyncio.sleep(self.delay)
        writer.write(
            f"HTTP/1.1 {answer.status_code} X\r\ncontent-type: {answer.headers.get('content-type', 'text/plain')}\r\n"
            f"content-length: {len(answer.content)}\r\n\r\n".encode()
            + answer.content
        )
        await writer.drain()
        return True


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def refused_url() -> str:
    """A loopback URL nobody listens on (bound then closed: the OS refuses connections to it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


async def _read_request(reader: asyncio.StreamReader) -> ReceivedRequest | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
    return ReceivedRequest(method, target, headers, body)
