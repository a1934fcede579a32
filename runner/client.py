"""``Runner``: the claim loop. N workers each long-poll for a command, run it in a thread while a
heartbeat keeps the lease, and report the outcome with the claim's dedup key.

Failure handling, and why it is safe:
- network errors and 5xx are retried with exponential backoff and jitter (tenacity); every retry is a new
  signed request (fresh nonce), and every call is idempotent on the deployment's side;
- a lost claim answer leaves the command leased to nobody: its lease runs out, the sweeper re-queues it;
- a crash mid-command (even SIGKILL) is the same: the command is re-claimed with a higher fencing token and
  run again, so every handler detects work already done instead of doing it twice;
- a completion refused as stale (someone else holds a newer claim) is logged and dropped;
- stop (SIGTERM): workers stop claiming at once; a command already running is finished and reported.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_delay, wait_random_exponential

from runner.convex_api import ClaimedCommand, ConvexApi, NotRegistered, TransientError, completion_key
from runner.dispatch import HANDLERS, Handler, HandlerContext, run_command
from runner.host_env import HostEnvironment

__all__ = ["Runner"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class Runner:
    def __init__(
        self,
        api: ConvexApi,
        context: HandlerContext,
        *,
        runner_id: str,
        name: str,
        version: str,
        environment: HostEnvironment | None = None,
        handlers: Mapping[str, Handler] = HANDLERS,
        concurrency: int = 2,
        claim_wait_s: float = 20.0,
        heartbeat_every_s: float | None = None,
        backoff_initial_s: float = 0.2,
        backoff_max_s: float = 10.0,
        complete_retry_s: float = 120.0,
    ) -> None:
        self.api = api
        self.context = context
        self.runner_id = runner_id
        self.name = name
        self.version = version
        self.environment = environment
        self.handlers = handlers
        self.concurrency = concurrency
        self.claim_wait_s = claim_wait_s
        self.heartbeat_every_s = heartbeat_every_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.complete_retry_s = complete_retry_s
        self.completed = 0

    # ------------------------------------------------------------------ retries

    async def _retrying(self, call: Callable[[], Awaitable[T]], stop: asyncio.Event, *, give_up_s: float | None) -> T:
        """``call()`` until it does not raise TransientError; gives up after ``give_up_s`` (then re-raises),
        or once ``stop`` is set."""

        def stopped(state: RetryCallState) -> bool:
            return stop.is_set() or (give_up_s is not None and stop_after_delay(give_up_s)(state))

        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TransientError),
            wait=wait_random_exponential(multiplier=self.backoff_initial_s, max=self.backoff_max_s),
            stop=stopped,
            reraise=True,
            before_sleep=lambda state: log.warning(
                "retrying after %s (attempt %d)",
                state.outcome.exception() if state.outcome else "?",
                state.attempt_number,
            ),
        )
        async for attempt in retrying:
            with attempt:
                return await call()
        raise AssertionError("unreachable: tenacity either returns or re-raises")

    # ------------------------------------------------------------------ life cycle

    async def register(self, stop: asyncio.Event) -> float:
        """Registers (retrying network errors); returns the heartbeat interval to use."""
        registration = await self._retrying(
            lambda: self.api.register(self.runner_id, self.name, self.version, environment=self.environment),
            stop,
            give_up_s=None,
        )
        log.info("registered as %s (lease %.0f ms)", self.runner_id, registration.lease_ms)
        return self.heartbeat_every_s or registration.lease_ms / 1000 / 3

    async def run(self, stop: asyncio.Event, *, on_ready: Callable[[], None] | None = None) -> None:
        """Serve until ``stop`` is set. AuthError / ProtocolError propagate (inside an ExceptionGroup)."""
        heartbeat_s = await self.register(stop)
        if on_ready is not None:
            on_ready()
        async with asyncio.TaskGroup() as workers:
            for index in range(self.concurrency):
                workers.create_task(self._worker(stop, heartbeat_s), name=f"runner worker {index}")

    async def _worker(self, stop: asyncio.Event, heartbeat_s: float) -> None:
        while not stop.is_set():
            command = await self._claim_until_stopped(stop)
            if command is not None:
                await self.execute(command, heartbeat_s, stop)

    async def _claim_until_stopped(self, stop: asyncio.Event) -> ClaimedCommand | None:
        """One long poll, abandoned as soon as ``stop`` is set (the server then stops polling for us)."""
        claimed: list[ClaimedCommand | None] = []

        async def claim() -> None:
            try:
                claimed.append(
                    await self._retrying(
                        lambda: self.api.claim(self.runner_id, self.claim_wait_s), stop, give_up_s=None
                    )
                )
            except NotRegistered:
                log.warning("the deployment does not know this runner: registering again")
                await self.register(stop)

        async with asyncio.TaskGroup() as group:
            claim_task = group.create_task(claim(), name="claim")
            stop_task = group.create_task(stop.wait(), name="stop watch")
            await asyncio.wait({claim_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
            claim_task.cancel()
            stop_task.cancel()
        return claimed[0] if claimed else None

    async def execute(self, command: ClaimedCommand, heartbeat_s: float, stop: asyncio.Event) -> dict[str, Any]:
        """Run one claimed command with heartbeats, then report it. Returns the outcome sent."""
        log.info(
            "claimed %s %s (attempt %d, token %d)",
            command.kind,
            command.command_id,
            command.attempt,
            command.fencing_token,
        )
        finished = asyncio.Event()
        async with asyncio.TaskGroup() as group:
            group.create_task(self._heartbeats(command, heartbeat_s, finished), name="heartbeat")
            try:
                outcome = await asyncio.to_thread(
                    run_command, command.kind, command.payload, self.context, self.handlers
                )
            finally:
                finished.set()
        await self._report(command, outcome)
        return outcome

    async def _heartbeats(self, command: ClaimedCommand, every_s: float, finished: asyncio.Event) -> None:
        while True:
            try:
                await asyncio.wait_for(finished.wait(), timeout=every_s)
                return
            except TimeoutError:
                pass
            try:
                held = await self.api.heartbeat(self.runner_id, command)
            except TransientError as exc:
                log.warning("heartbeat for %s failed (%s); trying again next beat", command.command_id, exc)
                continue
            if not held:
                log.warning(
                    "lost the lease of %s; its completion will be refused if it was re-claimed", command.command_id
                )
                return

    async def _report(self, command: ClaimedCommand, outcome: dict[str, Any]) -> None:
        # Keep retrying while stopping too: the work is done, only the report is missing.
        never_stop = asyncio.Event()
        try:
            ack = await self._retrying(
                lambda: self.api.complete(self.runner_id, command, outcome), never_stop, give_up_s=self.complete_retry_s
            )
        except TransientError as exc:
            log.error(
                "could not report %s (%s); the lease will run out and it will run again", completion_key(command), exc
            )
            return
        if ack.accepted:
            self.completed += 1
            log.info(
                "completed %s %s: %s", command.kind, command.command_id, "ok" if outcome["ok"] else outcome["error"]
            )
        else:
            log.warning("completion of %s refused: %s", completion_key(command), ack.reason)
