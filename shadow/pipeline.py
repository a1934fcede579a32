"""Pipeline: exchange in, judged and recorded comparison out, without ever holding the client up.

``submit`` (and ``open_stream`` for event streams) is synchronous and never waits: it decides whether to
shadow, places the exchange in its ordered lane and on a bounded queue, or sheds it (counted and recorded)
when the shadow is full. A fixed pool of worker tasks drains the queue: wait for the lane, rewrite ids,
send to the candidate (timeout, breaker), learn id pairs, release the lane, compare, re-read eventual
routes, record, count. Records go to the store in batches from a writer task, through ``asyncio.to_thread``
(sqlite is synchronous); a store that fails is logged once and counted, and the shadow keeps going.

The collaborators are shapes (``Profile``, ``Comparator``, ``Store``, ``MetricsSink`` below), so unit tests
pass plain objects; ``shadow.service.build_pipeline`` wires the real ones.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from comparators.message import HttpRequest, HttpResponse
from comparators.result import Verdict, VerdictKind
from shadow.batch_writer import BatchWriter
from shadow.breaker import BreakerState, CircuitBreaker
from shadow.config import ShadowSettings
from shadow.correlation import Conflict, IdMap, created_id
from shadow.errors import ShedError
from shadow.eventual import settle
from shadow.judging import Comparator, Profile, RouteMatch, judge
from shadow.lanes import GLOBAL, Lanes, Ticket, profile_scope, scope_of
from shadow.models import CandidateOutcome, Captured, ComparisonRecord, Exchange
from shadow.primary_history import PrimaryHistory
from shadow.sampling import is_write, should_shadow
from shadow.streams import StreamTicket
from shadow.tasks import cancel_and_wait, spawn
from shadow.tee import CandidateClient, mirror_request

__all__ = ["MetricsSink", "Pipeline", "Store"]

log = logging.getLogger(__name__)
_STORE_LOG_EVERY = 60.0  # seconds between repeated store-failure log lines


class Store(Protocol):
    """The evidence store (``shadow.store.ResultStore``): synchronous, written through the batch writer."""

    def record_many(self, records: Sequence[ComparisonRecord]) -> None: ...
    def prune(self, now: float | None = None) -> object: ...
    def close(self) -> None: ...


class MetricsSink(Protocol):
    def exchange(self, group: str, method: str, verdict: str) -> None: ...
    def latency(self, side: str, group: str, seconds: float) -> None: ...
    def inflight(self, n: int) -> None: ...
    def shed(self, group: str) -> None: ...
    def breaker(self, state: str) -> None: ...
    def correlation_size(self, n: int) -> None: ...
    def store_errors(self) -> None: ...
    def store_dropped(self) -> None: ...


@dataclass(eq=False)
class _Job:
    exchange_id: str
    request: HttpRequest
    started_at: float
    route: RouteMatch
    write: bool
    ticket: Ticket
    exchange: Exchange | None = None  # plain exchanges
    stream: StreamTicket | None = None  # event streams


class Pipeline:
    def __init__(
        self,
        settings: ShadowSettings,
        *,
        profile: Profile,
        compare: Comparator,
        client: CandidateClient,
        store: Store | None = None,
        metrics: MetricsSink | None = None,
        context: Any = None,
        listeners: Sequence[Callable[[ComparisonRecord], None]] = (),
    ) -> None:
        self.settings = settings
        self.ids = IdMap(settings.correlation_max)
        self._history = PrimaryHistory()  # the primary's later answers (EventualSettings.later_primary)
        self._profile = profile
        self._compare = compare
        self._client = client
        self._metrics = metrics
        self._context = context
        self._listeners = list(listeners)
        self._lanes = Lanes(settings.max_pending)
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._store = store
        self._writer = (
            BatchWriter(
                store,
                batch_size=settings.writer.batch_size,
                flush_interval=settings.writer.flush_interval,
                capacity=settings.writer.capacity,
                prune_interval=settings.writer.prune_interval,
                on_error=self._store_failed,
                on_drop=self._store_dropped,
            )
            if store is not None
            else None
        )
        self._last_store_log = -_STORE_LOG_EVERY
        self._breaker = CircuitBreaker(settings.breaker, on_change=self._breaker_changed)
        self._workers: list[asyncio.Task[None]] = []
        self._stopped = False
        self._unfinished = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.counts: dict[str, int] = {}

    # -- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._workers:
            return
        if self._writer is not None:
            self._writer.start()
        self._workers = [spawn(self._work(), name=f"shadow worker {n}") for n in range(self.settings.workers)]
        if self._metrics is not None:
            self._metrics.breaker(self._breaker.state)

    async def stop(self, *, drain: float = 0.0) -> None:
        """Stop the workers (after up to ``drain`` seconds of finishing queued work), flush the store."""
        if self._stopped:
            return
        self._stopped = True
        if drain > 0:
            await self.drain(drain)
        await cancel_and_wait(self._workers)
        self._workers = []
        while not self._queue.empty():  # admitted, never sent: kept as evidence of what was not compared
            self._unsent(self._queue.get_nowait())
        if self._writer is not None:
            await self._writer.aclose()
        if self._store is not None:
            try:
                await asyncio.to_thread(self._store.close)
            except Exception as exc:
                log.error("shadow: closing the evidence store failed: %s", exc)
        await self._client.aclose()

    def retune(self, settings: ShadowSettings) -> bool:
        """Take new settings in place when only the live knobs (enabled, sample, filter) changed, keeping
        learned ids and lanes; False when anything else changed (build a new pipeline then)."""
        live = {"enabled", "sample", "filter"}
        if settings.model_dump(exclude=live) != self.settings.model_dump(exclude=live):
            return False
        self.settings = settings
        return True

    def start_soon(self) -> None:
        spawn(self.start(), name="shadow pipeline start")

    def close_soon(self) -> None:
        """Stop in the background (a replaced pipeline finishes its queued work first)."""
        spawn(self.stop(drain=self.settings.drain_seconds), name="shadow pipeline stop")

    async def drain(self, timeout: float) -> bool:
        """Wait until every admitted exchange is judged and handed to the writer; False on timeout."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        if self._writer is not None:
            await self._writer.flush()
        return True

    @property
    def pending(self) -> int:
        return self._lanes.pending

    @property
    def breaker_state(self) -> BreakerState:
        return self._breaker.state

    # -- the client path: synchronous, never waits --------------------------------------------------------

    def submit(self, exchange: Exchange) -> bool:
        """Queue a finished exchange for the candidate; False when it is not shadowed (or shed)."""
        request = exchange.request
        route = self._profile.match(request.method, request.path)
        write = _is_write(route, request.method)
        if not should_shadow(request, exchange.id, self.settings, write=write):
            return False
        if too_big := self._oversized(request, exchange.primary):
            return self._shed(exchange, route, too_big)
        completed_at = exchange.completed_at or time.time()
        try:
            ticket = self._admit(request, route, write, exchange.started_at, completed_at, stream=False)
        except ShedError as exc:
            return self._shed(exchange, route, str(exc))
        self._enqueue(_Job(exchange.id, request, exchange.started_at, route, write, ticket, exchange=exchange))
        if self.settings.eventual.later_primary and not write and self._eventual(route):
            self._history.add(exchange)
        if self._metrics is not None:
            self._metrics.latency("primary", route.group, (completed_at - exchange.started_at))
        return True

    def submit_captured(self, captured: Captured) -> bool:
        """``submit`` of an exchange as the addon captured it (``Captured``)."""
        return self.submit(captured.exchange())

    def open_stream(self, request: HttpRequest, head: HttpResponse, *, exchange_id: str) -> StreamTicket | None:
        """Start mirroring an event stream as soon as the primary's headers arrive, so both windows
        overlap; ``head`` is the primary's status and headers. None when it is not shadowed (or shed)."""
        route = self._profile.match(request.method, request.path)
        if not should_shadow(request, exchange_id, self.settings, write=False):
            return None
        started_at = time.time() - (head.elapsed_ms or 0) / 1000
        try:
            ticket = self._admit(request, route, False, started_at, time.time(), stream=True)
        except ShedError as exc:
            shed = Exchange(id=exchange_id, started_at=started_at, request=request, primary=head)
            self._shed(shed, route, str(exc))
            return None
        stream = StreamTicket(head.status, head.headers)
        self._enqueue(_Job(exchange_id, request, started_at, route, False, ticket, stream=stream))
        return stream

    def _admit(
        self, request: HttpRequest, route: RouteMatch, write: bool, started: float, completed: float, *, stream: bool
    ) -> Ticket:
        scope = self._scope(request, route)
        barrier = not write and self.settings.eventual.barrier and self._eventual(route)
        # A stream that holds writes (or is a barrier) is admitted like a plain read: later writes wait for it.
        stream = stream and not (self.settings.stream.hold_writes or barrier)
        return self._lanes.admit(
            write=write, started_at=started, completed_at=completed, scope=scope, stream=stream, barrier=barrier
        )

    def _scope(self, request: HttpRequest, route: RouteMatch) -> str:
        """One global lane unless configured: ``lane_scope_keys`` names the keys, or ``lanes: profile``
        follows the profile's scope hints. The profile's scope families (project, task, ...) are separate
        lanes, so that is sound only where they are independent; global is always sound."""
        if self.settings.lane_scope_keys:
            return scope_of(request, route.template, self.settings.lane_scope_keys)
        if self.settings.lanes == "profile":
            return profile_scope(request, route.rule, getattr(route, "params", {}))
        return GLOBAL

    def _enqueue(self, job: _Job) -> None:
        self._unfinished += 1
        self._idle.clear()
        self._queue.put_nowait(job)  # unbounded queue, bounded by the lanes' admission
        if self._metrics is not None:
            self._metrics.inflight(self._lanes.pending)

    def _oversized(self, request: HttpRequest, primary: HttpResponse) -> str | None:
        limit = self.settings.max_body_bytes
        for side, size in (("request", len(request.body)), ("response", len(primary.body))):
            if size > limit:
                log.warning(
                    "shadow: %s %s not shadowed: %s body of %d bytes is over %d",
                    request.method,
                    request.path,
                    side,
                    size,
                    limit,
                )
                return f"{side} body of {size} bytes is over max_body_bytes={limit}"
        return None

    def count_shed(self, group: str, count: int) -> None:
        """Exchanges shed before they reached this pipeline (the proxy's full pipe to the worker)."""
        self.counts["shed"] = self.counts.get("shed", 0) + count
        for _ in range(count if self._metrics is not None else 0):
            self._metrics.shed(group)  # type: ignore[union-attr]

    def _unsent(self, job: _Job) -> None:
        """A job the shadow stopped before it was judged (shutdown): recorded as shed, reason given."""
        job.ticket.release()
        if job.exchange is not None:
            self._shed(job.exchange, job.route, "the shadow stopped before the candidate's answer was judged")

    def _shed(self, exchange: Exchange, route: RouteMatch, reason: str) -> bool:
        verdict = Verdict(
            kind=VerdictKind.SHED,
            method=exchange.request.method,
            route=route.template,
            group=route.group,
            reason=reason,
        )
        if self._metrics is not None:
            self._metrics.shed(route.group)
        self._finish(ComparisonRecord(exchange=exchange, candidate=CandidateOutcome(), verdict=verdict))
        return False

    # -- the shadow path: worker tasks --------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                await self._run(job)
            except asyncio.CancelledError:
                self._unsent(job)
                raise
            except Exception:
                log.exception("shadow: exchange %s %s failed in the pipeline", job.request.method, job.request.path)
            finally:
                job.ticket.release()
                self._unfinished -= 1
                if self._unfinished == 0:
                    self._idle.set()
                if self._metrics is not None:
                    self._metrics.inflight(self._lanes.pending)

    async def _run(self, job: _Job) -> None:
        await job.ticket.wait()
        primary_id = created_id(job.exchange.primary) if job.exchange is not None and job.write else None

        def mirrored() -> HttpRequest:  # built at each (re-)read: ids learned meanwhile apply
            return mirror_request(
                job.request,
                self.settings,
                exchange_id=job.exchange_id,
                write=job.write,
                ids=self.ids,
                primary_id=primary_id,
            )

        eventual = not job.write and self._eventual(job.route)
        hold = eventual and self.settings.eventual.barrier  # decided again once the candidate has answered
        if job.stream is not None:
            read = lambda: self._call(lambda: self._client.stream(mirrored(), self.settings.stream))  # noqa: E731
            outcome = await read()
            if not (hold and self._may_hold(job)):
                job.ticket.release()
            window = self.settings.stream.max_seconds
            primary, completed_at = await job.stream.primary(timeout=window + self.settings.candidate_timeout + 5)
            exchange = Exchange(
                id=job.exchange_id,
                started_at=job.started_at,
                completed_at=completed_at,
                request=job.request,
                primary=primary,
            )
            conflicts: list[Conflict] = []
        else:
            assert job.exchange is not None
            exchange = job.exchange
            read = lambda: self._call(lambda: self._client.send(mirrored()))  # noqa: E731
            outcome = await read()
            conflicts = self._learn(exchange.primary, outcome)
            if not (hold and self._may_hold(job)):
                job.ticket.release()  # the candidate has applied it: later exchanges of the scope may go
        verdict = self._judge(exchange, outcome, job.route, conflicts)
        if eventual:

            def judge_again(again: CandidateOutcome) -> Verdict:
                # A re-read is learned from like a first read (a list that has caught up lines up now).
                found = self._learn(exchange.primary, again) if job.stream is None else []
                verdict = self._judge(exchange, again, job.route, found)
                if verdict.kind is VerdictKind.MISMATCH and self.settings.eventual.later_primary:
                    return self._judge_later(exchange, again, job.route) or verdict
                return verdict

            settled = await settle(verdict, reread=read, judge=judge_again, settings=self.settings.eventual)
            verdict, outcome = settled.verdict, settled.outcome or outcome
            job.ticket.release()
        if self._metrics is not None and outcome.elapsed_ms is not None:
            self._metrics.latency("candidate", job.route.group, outcome.elapsed_ms / 1000)
        self._finish(ComparisonRecord(exchange=exchange, candidate=outcome, verdict=verdict))

    async def _call(self, send: Callable[[], Any]) -> CandidateOutcome:
        if not self._breaker.allow():
            return CandidateOutcome(error="breaker_open", detail="circuit breaker open: not sent", elapsed_ms=0.0)
        outcome: CandidateOutcome = await send()
        if outcome.response is None:
            self._breaker.record_failure()
        else:
            self._breaker.record_success()
        return outcome

    def _eventual(self, route: RouteMatch) -> bool:
        """Marked eventual by the profile, or by the operator (``eventual_routes``: e.g. process log
        streams, whose candidate side runs behind the primary's by the shadow's own lag)."""
        return bool(getattr(route.rule, "eventual", False)) or route.template in self.settings.eventual_routes

    def _may_hold(self, job: _Job) -> bool:
        """A barrier holds back what followed it only while the shadow is not too far behind the client."""
        return time.time() - job.started_at < self.settings.eventual.barrier_max_lag

    def _judge_later(self, exchange: Exchange, again: CandidateOutcome, route: RouteMatch) -> Verdict | None:
        """The verdict against the first of the primary's later answers to this request that ``again``
        equals, or None (see ``shadow.primary_history``)."""
        for later in self._history.after(exchange):
            verdict = self._judge(later, again, route, ())
            if verdict.kind in (VerdictKind.MATCH, VerdictKind.NOISE, VerdictKind.INTENDED):
                self._learn(later.primary, again)
                return verdict.model_copy(update={"reason": "equal to the primary's later answer to this request"})
        return None

    def _learn(self, primary: HttpResponse, outcome: CandidateOutcome) -> list[Conflict]:
        if outcome.response is None:
            return []
        conflicts = self.ids.learn_responses(primary, outcome.response)
        for conflict in conflicts:
            log.warning("shadow: id conflict at %s: %s", conflict.path, conflict)
        if self._metrics is not None:
            self._metrics.correlation_size(len(self.ids))
        return conflicts

    def _judge(
        self, exchange: Exchange, outcome: CandidateOutcome, route: RouteMatch, conflicts: Sequence[Conflict]
    ) -> Verdict:
        return judge(
            self._profile,
            self._compare,
            exchange,
            outcome,
            route,
            context=self._context,
            id_map=self.ids.relevant(exchange.primary.body, outcome.response.body) if outcome.response else None,
            conflicts=conflicts,
        )

    def _finish(self, record: ComparisonRecord) -> None:
        kind = record.verdict.kind.value
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if self._metrics is not None:
            self._metrics.exchange(record.verdict.group, record.exchange.request.method, kind)
        if self._writer is not None:
            self._writer.submit(record)
        for listener in self._listeners:
            try:
                listener(record)
            except Exception:
                log.exception("shadow: a record listener failed")

    def _store_failed(self, exc: Exception, lost: int) -> None:
        """One clear line the first time (then at most once a minute); counted every time."""
        now = time.monotonic()
        if now - self._last_store_log >= _STORE_LOG_EVERY:
            self._last_store_log = now
            log.error("shadow: the evidence store failed, %d record(s) lost, the proxy keeps serving: %s", lost, exc)
        if self._metrics is not None:
            self._metrics.store_errors()

    def _store_dropped(self, record: ComparisonRecord) -> None:
        if self._metrics is not None:
            self._metrics.store_dropped()

    def _breaker_changed(self, state: BreakerState) -> None:
        log.warning("shadow: candidate circuit breaker is now %s", state)
        if self._metrics is not None:
            self._metrics.breaker(state)


def _is_write(route: RouteMatch, method: str) -> bool:
    flag = getattr(route.rule, "write", None)
    return bool(flag) if flag is not None else is_write(method)
