"""OffloadedPipeline: the shadow leg in a worker process, so the proxy's event loop pays only for a pipe write.

Measured (bench/proxy_bench.py, README): in the proxy's own process the candidate call alone (httpx over
the aiohttp transport) cost about as much CPU as mitmproxy's handling of the request, so throughput fell to
~0.7x of plain mitmdump before any comparison ran. Here the proxy captures the exchange in plain values
(``Captured``), pickles it and writes one length-prefixed frame to the worker's stdin without waiting;
everything else (lanes, id correlation, candidate calls, comparison, store, metrics) runs in
``python -m shadow.worker`` at a lower CPU priority, so under saturation the shadow falls behind and sheds
instead of slowing clients down.

Bounded: when the pipe's unsent buffer is over ``offload_buffer_bytes`` the exchange is shed and counted
(the count reaches the worker's metrics with the next frame). If the worker dies, one clear line is logged
and the proxy keeps serving without a shadow. The pipe is private between parent and child, so pickle is
safe here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import struct
import sys
from collections.abc import Callable, Sequence
from typing import Any

from comparators.message import HttpRequest, HttpResponse
from shadow.config import ShadowSettings
from shadow.models import Captured, Exchange
from shadow.sampling import is_write, should_shadow

__all__ = ["FRAME_HEADER", "OffloadedPipeline", "RemoteStreamTicket", "encode_frame"]

log = logging.getLogger(__name__)
FRAME_HEADER = struct.Struct("!I")
WORKER_NICE = 19  # the shadow yields the CPU to the proxy: under contention it falls behind and sheds


def encode_frame(message: tuple[Any, ...]) -> bytes:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return FRAME_HEADER.pack(len(payload)) + payload


class RemoteStreamTicket:
    """The proxy's end of a mirrored stream: the recording goes to the worker when the window closes."""

    def __init__(self, pipeline: OffloadedPipeline, exchange_id: str) -> None:
        self._pipeline = pipeline
        self._exchange_id = exchange_id
        self._done = False

    def finish(self, body: bytes, complete: bool) -> None:
        if not self._done:
            self._done = True
            self._pipeline._send(("finish", self._exchange_id, body, complete), force=True)


class OffloadedPipeline:
    """Same surface as ``Pipeline`` for the addon: ``submit``, ``open_stream``, ``retune`` and the lifecycle."""

    def __init__(self, settings: ShadowSettings, *, worker: Sequence[str] = ()) -> None:
        self.settings = settings
        self._worker = list(worker) or [sys.executable, "-m", "shadow.worker"]
        self._process: asyncio.subprocess.Process | None = None
        self._shed = 0
        self._dead = False

    @property
    def unreported_shed(self) -> int:
        """Exchanges shed here that the worker's metrics have not heard of yet."""
        return self._shed

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def start(self) -> None:
        if self._process is not None:
            return
        self._process = await asyncio.create_subprocess_exec(
            *self._worker,
            stdin=asyncio.subprocess.PIPE,
            preexec_fn=_placement(self.settings.worker_priority, self.settings.worker_cpus),
        )
        self._send(("settings", self.settings), force=True)
        self._check_placement()

    def _check_placement(self) -> None:
        wanted = set(self.settings.worker_cpus)
        if not wanted or self._process is None:  # (settings refuse worker_cpus where affinity does not exist)
            return
        with contextlib.suppress(OSError):  # the worker already gone: its exit is reported elsewhere
            actual = os.sched_getaffinity(self._process.pid)
            if actual != wanted:
                log.warning(
                    "shadow: the worker could not be placed on CPUs %s (worker_cpus); it runs on %s",
                    sorted(wanted),
                    sorted(actual),
                )

    def submit(self, exchange: Exchange) -> bool:
        # The worker decides again with the profile; deciding here too saves pickling what it would drop.
        write = is_write(exchange.request.method)
        if not should_shadow(exchange.request, exchange.id, self.settings, write=write):
            return False
        return self._send(("exchange", exchange))

    def submit_captured(self, captured: Captured) -> bool:
        """``submit`` for the addon: the plain capture is pickled as it is, and becomes an ``Exchange`` in
        the worker (see ``Captured``)."""
        if not should_shadow(captured, captured.id, self.settings, write=is_write(captured.method)):
            return False
        return self._send(("captured", captured))

    def open_stream(self, request: HttpRequest, head: HttpResponse, *, exchange_id: str) -> RemoteStreamTicket | None:
        if not should_shadow(request, exchange_id, self.settings, write=False):
            return None
        if not self._send(("stream", exchange_id, request, head)):
            return None
        return RemoteStreamTicket(self, exchange_id)

    def retune(self, settings: ShadowSettings) -> bool:
        live = {"enabled", "sample", "filter"}
        if settings.model_dump(exclude=live) != self.settings.model_dump(exclude=live):
            return False
        self.settings = settings
        self._send(("settings", settings), force=True)
        return True

    def start_soon(self) -> None:
        from shadow.tasks import spawn

        spawn(self.start(), name="shadow worker start")

    def close_soon(self) -> None:
        from shadow.tasks import spawn

        spawn(self.stop(drain=self.settings.drain_seconds), name="shadow worker stop")

    async def drain(self, timeout: float) -> bool:
        """Wait until the pipe's buffer has gone to the worker (the worker judges on its own time)."""
        if self._process is None or self._process.stdin is None:
            return True
        try:
            await asyncio.wait_for(self._process.stdin.drain(), timeout)
        except (TimeoutError, ConnectionError):
            return False
        return True

    async def stop(self, *, drain: float = 0.0) -> None:
        """Close the pipe: the worker finishes queued work for up to ``drain`` seconds, flushes the store
        and exits; it is killed (by pid) if it does not."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None and not process.stdin.is_closing():
            self._write(process, encode_frame(("stop", drain)))
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), drain + 10)
        except TimeoutError:
            log.error("shadow: the worker (pid %d) did not stop in time; killing it", process.pid)
            process.kill()
            await process.wait()

    def _send(self, message: tuple[Any, ...], *, force: bool = False) -> bool:
        process = self._process
        if process is None or process.stdin is None or self._dead:
            self._shed += 0 if force else 1  # not started yet, or gone: counted, never waited for
            return False
        if not force and process.stdin.transport.get_write_buffer_size() > self.settings.offload_buffer_bytes:
            self._shed += 1
            return False
        if self._shed and message[0] in ("exchange", "captured"):
            message, self._shed = (*message, self._shed), 0  # counts of what was shed here reach the metrics
        return self._write(process, encode_frame(message))

    def _write(self, process: asyncio.subprocess.Process, frame: bytes) -> bool:
        assert process.stdin is not None
        try:
            process.stdin.write(frame)
        except (ConnectionError, RuntimeError) as exc:
            if not self._dead:
                self._dead = True
                log.error("shadow: the worker process is gone (%s); the proxy keeps serving without a shadow", exc)
            return False
        if process.returncode is not None and not self._dead:
            self._dead = True
            log.error("shadow: the worker exited with %s; the proxy keeps serving without a shadow", process.returncode)
        return True


def _placement(priority: str, cpus: Sequence[int]) -> Callable[[], None]:
    """What the worker's process sets up before it runs: its priority, and its CPUs when given."""

    def place() -> None:
        if priority == "idle":
            _idle_priority()
        else:
            _nice_priority()
        if cpus:
            with contextlib.suppress(OSError):  # outside the cgroup's CPUs: the start-up check below says so
                os.sched_setaffinity(0, cpus)

    return place


def _idle_priority() -> None:
    """SCHED_IDLE (Linux): the worker runs only on CPU time no normal process wants, and a proxy thread that
    wakes up preempts it at once. Nice 19 alone still leaves it a share of a busy CPU and lets it finish its
    time slice first, which showed as p99 spikes of the client path on a 2-core machine (README). Where the
    policy does not exist, nice 19.

    The worker stays in the proxy's session on purpose: the policy ranks tasks inside one scheduling group
    only, and with autogroup (Linux's default) a session of its own would be a group of its own, sharing
    the CPU with the proxy's at equal weight (measured: an idle-policy spinner in its own session took half
    of the proxy's core; in the proxy's session, nothing measurable)."""
    os.nice(WORKER_NICE)
    if hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):  # refused by the platform: nice 19 stays
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _nice_priority() -> None:
    os.nice(WORKER_NICE)
