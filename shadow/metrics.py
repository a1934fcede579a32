"""Every Prometheus metric of the shadow, on a registry passed in (never the global one at import time).

Label values are bounded: route groups (from the profile when given, else the first ``max_groups`` names
that look like group names), HTTP methods, verdict kinds, sides and breaker states. Anything else (a raw
path, an id, one group too many) is counted under ``other``, so a flood of distinct paths cannot grow
the number of series.

    shadow_exchanges_total{group,method,verdict}   counter    compared (or shed) exchanges
    shadow_latency_seconds{side,group}             histogram  response time of primary and candidate
    shadow_inflight                                gauge      exchanges queued or being compared
    shadow_shed_total{group}                       counter    exchanges dropped because the shadow was full
    shadow_breaker_state{state}                    gauge      1 for the candidate breaker's current state
    shadow_correlation_size                        gauge      primary<->candidate id pairs held
    shadow_store_errors_total                      counter    batches the evidence store could not write
    shadow_store_dropped_total                     counter    records dropped before the store (buffer full)
    shadow_flag_percentage{group}                  gauge      rollout flag: % of a group the candidate serves
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from comparators.result import VerdictKind

__all__ = ["OTHER", "LabelGuard", "Metrics", "MetricsServer", "serve"]

OTHER = "other"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
SIDES = frozenset({"primary", "candidate"})
BREAKER_STATES = ("closed", "open", "half_open")
BreakerState = Literal["closed", "open", "half_open"]
# Primary answers span 1 ms (plain JSON) to ~4 s (process stops); the candidate's timeout sits above.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

_GROUP_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class LabelGuard:
    """Maps a label value onto a bounded set: an allowed set when known, else the first ``limit`` distinct
    values that look like names (not paths, ids or numbers); everything else becomes ``other``."""

    def __init__(self, allowed: Iterable[str] | None = None, *, limit: int = 64) -> None:
        self._allowed = frozenset(allowed) if allowed is not None else None
        self._limit = limit
        self._admitted: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: str) -> str:
        if self._allowed is not None:
            return value if value in self._allowed else OTHER
        if value in self._admitted:
            return value
        if not _GROUP_NAME.match(value) or _looks_like_id(value):
            return OTHER
        with self._lock:
            if len(self._admitted) >= self._limit:
                return OTHER
            self._admitted.add(value)
        return value


def _looks_like_id(value: str) -> bool:
    # hex runs of 8+ (uuids, shas), or mostly digits: values that would mint a series each.
    digits = sum(ch.isdigit() for ch in value)
    return (digits > 0 and bool(re.search(r"[0-9a-f]{8,}", value))) or digits * 2 > len(value)


class Metrics:
    """All metrics, registered on ``registry``. ``groups``: the route groups of the profile, when known."""

    def __init__(self, registry: CollectorRegistry, *, groups: Iterable[str] | None = None, max_groups: int = 64):
        self.registry = registry
        self._group = LabelGuard(None if groups is None else [*groups, OTHER], limit=max_groups)
        self._method = LabelGuard(METHODS)
        self._verdict = LabelGuard([kind.value for kind in VerdictKind])
        self._side = LabelGuard(SIDES)
        self._exchanges = Counter(
            "shadow_exchanges",
            "Exchanges judged by the shadow, by route group, method and verdict.",
            ["group", "method", "verdict"],
            registry=registry,
        )
        self._latency = Histogram(
            "shadow_latency_seconds",
            "Response time of the primary and of the candidate, by route group.",
            ["side", "group"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self._inflight = Gauge("shadow_inflight", "Exchanges queued or being compared.", registry=registry)
        self._shed = Counter(
            "shadow_shed", "Exchanges dropped because the shadow was full.", ["group"], registry=registry
        )
        self._breaker = Gauge(
            "shadow_breaker_state", "1 for the candidate circuit breaker's current state.", ["state"], registry=registry
        )
        self._correlation = Gauge(
            "shadow_correlation_size", "Primary/candidate id pairs held by the correlation map.", registry=registry
        )
        self._store_errors = Counter(
            "shadow_store_errors", "Batches the evidence store could not write.", registry=registry
        )
        self._store_dropped = Counter(
            "shadow_store_dropped", "Records dropped before the evidence store (buffer full).", registry=registry
        )
        self._flag = Gauge(
            "shadow_flag_percentage",
            "Rollout flag: percentage of a route group the candidate serves.",
            ["group"],
            registry=registry,
        )
        self.breaker("closed")

    def exchange(self, group: str, method: str, verdict: VerdictKind | str) -> None:
        value = verdict.value if isinstance(verdict, VerdictKind) else verdict
        self._exchanges.labels(self._group(group), self._method(method.upper()), self._verdict(value)).inc()

    def latency(self, side: Literal["primary", "candidate"] | str, group: str, seconds: float) -> None:
        self._latency.labels(self._side(side), self._group(group)).observe(seconds)

    def inflight(self, n: int) -> None:
        self._inflight.set(n)

    def shed(self, group: str) -> None:
        self._shed.labels(self._group(group)).inc()

    def breaker(self, state: BreakerState | str) -> None:
        if state not in BREAKER_STATES:
            raise ValueError(f"unknown breaker state {state!r}; expected one of {', '.join(BREAKER_STATES)}")
        for known in BREAKER_STATES:
            self._breaker.labels(known).set(1 if known == state else 0)

    def correlation_size(self, n: int) -> None:
        self._correlation.set(n)

    def store_errors(self, n: int = 1) -> None:
        self._store_errors.inc(n)

    def store_dropped(self, n: int = 1) -> None:
        self._store_dropped.inc(n)

    def flag_percentage(self, group: str, pct: float) -> None:
        if not 0 <= pct <= 100:
            raise ValueError(f"flag percentage must be within 0..100, got {pct}")
        self._flag.labels(self._group(group)).set(pct)


@dataclass
class MetricsServer:
    """A running ``/metrics`` endpoint; ``close()`` stops it."""

    server: WSGIServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(port: int, registry: CollectorRegistry, host: str = "127.0.0.1") -> MetricsServer:
    """Serve ``registry`` in Prometheus text format on http://host:port/metrics (port 0: any free port)."""
    server, thread = start_http_server(port, addr=host, registry=registry)
    return MetricsServer(server, thread)
