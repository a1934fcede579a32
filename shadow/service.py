"""Assembles a running shadow from settings: profile, comparator, candidate client, store and metrics.

The only place that names the concrete collaborators of ``Pipeline``; the addon and the command line call
``build_pipeline``. Problems a person must fix (no candidate, unknown profile) are ``ConfigError``; a store
that cannot be opened is logged as one clear line and the shadow runs without keeping evidence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import httpx

from shadow.config import ShadowSettings
from shadow.errors import ConfigError, StoreError
from shadow.models import ComparisonRecord
from shadow.pipeline import MetricsSink, Pipeline
from shadow.recording import Store
from shadow.tee import CandidateClient

__all__ = ["build_pipeline", "open_store", "process_metrics"]

log = logging.getLogger(__name__)

_metrics: MetricsSink | None = None
_served_ports: set[int] = set()


def build_pipeline(
    settings: ShadowSettings,
    *,
    metrics: MetricsSink | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    listeners: Sequence[Callable[[ComparisonRecord], None]] = (),
) -> Pipeline:
    if settings.candidate is None:
        raise ConfigError("no candidate URL: set shadow_candidate / --candidate / SHADOW_CANDIDATE")
    from comparators.compare import CompareContext, compare_exchange
    from comparators.profiles import load_profile

    try:
        profile = load_profile(settings.profile)
    except Exception as exc:
        raise ConfigError(f"cannot load profile {settings.profile!r}: {exc}") from None
    context = CompareContext(primary_prefixes=settings.primary_prefixes, candidate_prefixes=settings.candidate_prefixes)
    if metrics is None and settings.metrics_port is not None:
        metrics = process_metrics(settings.metrics_port)
    client = CandidateClient(
        settings.candidate,
        timeout=settings.candidate_timeout,
        connect_retries=settings.connect_retries,
        transport=transport,
    )
    return Pipeline(
        settings,
        profile=profile,
        compare=compare_exchange,
        client=client,
        store=open_store(settings),
        metrics=metrics,
        context=context,
        listeners=listeners,
    )


def open_store(settings: ShadowSettings) -> Store | None:
    """The evidence store, or None (with one clear log line) when it is not configured or cannot be opened."""
    if settings.store is None:
        return None
    from shadow.store import ResultStore, StoreSettings

    evidence = StoreSettings(redaction_key=settings.redaction_key) if settings.redaction_key is not None else None
    try:
        store: Store = ResultStore.open(settings.store, settings=evidence)
    except StoreError as exc:
        log.error("shadow: cannot open the evidence store %s, comparisons will not be kept: %s", settings.store, exc)
        return None
    return store


def process_metrics(port: int) -> MetricsSink:
    """The process's one ``Metrics`` on prometheus' default registry (built once: registering the same
    metric names twice fails), served on ``port``."""
    global _metrics
    from prometheus_client import REGISTRY

    from shadow.metrics import Metrics, serve

    if _metrics is None:
        _metrics = Metrics(REGISTRY)
    if port not in _served_ports:
        serve(port, REGISTRY)
        _served_ports.add(port)
    return _metrics
