"""Assembles a running shadow from settings: profile, comparator, candidate client, store and metrics.

The only place that names the concrete collaborators of ``Pipeline``; the addon and the command line call
``build_pipeline``. Problems a person must fix (no candidate, unknown profile) are ``ConfigError``; a store
that cannot be opened is logged as one clear line and the shadow runs without keeping evidence.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

import httpx

from comparators.compare import CompareContext, compare_exchange
from comparators.message import HttpRequest, HttpResponse
from comparators.noise import NoiseModel
from comparators.profiles import Profile as LoadedProfile
from comparators.profiles import load_profile
from shadow.config import ShadowSettings
from shadow.errors import ConfigError, StoreError
from shadow.models import Captured, ComparisonRecord, Exchange
from shadow.offload import OffloadedPipeline
from shadow.pipeline import MetricsSink, Pipeline, Store
from shadow.tee import CandidateClient

__all__ = ["ShadowLeg", "build_pipeline", "build_shadow", "open_store", "process_metrics"]

log = logging.getLogger(__name__)
# httpx logs every request at INFO: inside the proxy that is one log line per mirrored exchange.
logging.getLogger("httpx").setLevel(logging.WARNING)


class ShadowLeg(Protocol):
    """What the addon drives: an in-process ``Pipeline`` or an ``OffloadedPipeline`` (worker process)."""

    settings: ShadowSettings

    def submit(self, exchange: Exchange) -> bool: ...
    def submit_captured(self, captured: Captured) -> bool: ...
    def open_stream(self, request: HttpRequest, head: HttpResponse, *, exchange_id: str) -> _Ticket | None: ...
    def retune(self, settings: ShadowSettings) -> bool: ...
    def start_soon(self) -> None: ...
    def close_soon(self) -> None: ...
    async def start(self) -> None: ...
    async def stop(self, *, drain: float = 0.0) -> None: ...
    async def drain(self, timeout: float) -> bool: ...


class _Ticket(Protocol):
    def finish(self, body: bytes, complete: bool) -> None: ...


_metrics: MetricsSink | None = None
_served_ports: set[int] = set()


def build_shadow(settings: ShadowSettings) -> ShadowLeg:
    """The addon's default: the shadow leg in a worker process (``offload``, the default) or in this one.
    The profile is loaded here either way, so a bad one fails at configure time, not in the worker."""
    if not settings.offload:
        return build_pipeline(settings)
    if settings.candidate is None:
        raise ConfigError("no candidate URL: set shadow_candidate / --candidate / SHADOW_CANDIDATE")
    _load_profile(settings)
    _load_noise(settings)  # a bad model stops start-up here, not in the worker
    return OffloadedPipeline(settings)


def build_pipeline(
    settings: ShadowSettings,
    *,
    metrics: MetricsSink | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    listeners: Sequence[Callable[[ComparisonRecord], None]] = (),
) -> Pipeline:
    if settings.candidate is None:
        raise ConfigError("no candidate URL: set shadow_candidate / --candidate / SHADOW_CANDIDATE")
    profile = _load_profile(settings)
    context = CompareContext(primary_prefixes=settings.primary_prefixes, candidate_prefixes=settings.candidate_prefixes)
    if metrics is None and settings.metrics_port is not None:
        metrics = process_metrics(
            settings.metrics_port, groups={route.group for route in profile.routes}, host=settings.metrics_host
        )
    client = CandidateClient(
        settings.candidate,
        timeout=settings.candidate_timeout,
        connect_retries=settings.connect_retries,
        transport=transport,
    )
    noise = _load_noise(settings)
    return Pipeline(
        settings,
        profile=profile,
        compare=compare_exchange if noise is None else functools.partial(compare_exchange, noise=noise),
        client=client,
        store=open_store(settings),
        metrics=metrics,
        context=context,
        listeners=listeners,
    )


def _load_profile(settings: ShadowSettings) -> LoadedProfile:
    try:
        return load_profile(settings.profile)
    except Exception as exc:
        raise ConfigError(f"cannot load profile {settings.profile!r}: {exc}") from None


def _load_noise(settings: ShadowSettings) -> NoiseModel | None:
    if settings.noise_model is None:
        return None
    from shadow.offline import OfflineInputError, load_noise  # only when a model is configured

    try:
        return load_noise(settings.noise_model)
    except OfflineInputError as exc:
        raise ConfigError(f"noise_model: {exc}") from None


def open_store(settings: ShadowSettings) -> Store | None:
    """The evidence store, or None (with one clear log line) when it is not configured or cannot be opened."""
    if settings.store is None:
        return None
    from shadow.store import ResultStore, StoreSettings

    evidence = StoreSettings(redaction_key=settings.redaction_key) if settings.redaction_key is not None else None
    try:
        store: Store = ResultStore.open(settings.store, settings=evidence)
    except StoreError as exc:
        log.error("shadow: comparisons will not be kept (the proxy keeps serving): %s", exc)
        return None
    return store


def process_metrics(port: int, *, groups: set[str] | None = None, host: str = "127.0.0.1") -> MetricsSink:
    """The process's one ``Metrics`` on prometheus' default registry (built once: registering the same
    metric names twice fails), served on ``port``."""
    global _metrics
    from prometheus_client import REGISTRY

    from shadow.metrics import Metrics, serve

    if _metrics is None:
        _metrics = Metrics(REGISTRY, groups=groups)
    if port not in _served_ports:
        serve(port, REGISTRY, host=host)
        _served_ports.add(port)
    return _metrics
