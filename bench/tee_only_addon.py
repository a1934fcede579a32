"""Benchmark variant "proxy with tee": the real addon, lanes, correlation, candidate calls and breaker, with
judging reduced to a constant so the comparator's own cost is left out. ``BENCH_TEE_MODE=inprocess`` runs
the pipeline on the proxy's event loop, ``worker`` (default) in a worker process as the product does.
Load with ``mitmdump -s bench/tee_only_addon.py``. Used by bench/proxy_bench.py only."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from comparators.result import Verdict, VerdictKind
from shadow.addon import Shadow
from shadow.config import ShadowSettings
from shadow.offload import OffloadedPipeline
from shadow.pipeline import Pipeline
from shadow.service import ShadowLeg
from shadow.tee import CandidateClient


class _Route:  # a plain class: dataclasses fail inside a mitmproxy script module
    def __init__(self, template: str) -> None:
        self.template = template
        self.group = "bench"
        self.rule: Any = None


class PathProfile:
    def match(self, method: str, path: str) -> _Route:
        return _Route(path)


def no_compare(profile: Any, request: Any, primary: Any, candidate: Any, **_: Any) -> Verdict:
    route = profile.match(request.method, request.path)
    return Verdict(kind=VerdictKind.MATCH, method=request.method, route=route.template, group=route.group)


def tee_only_pipeline(settings: ShadowSettings) -> Pipeline:
    assert settings.candidate is not None
    client = CandidateClient(settings.candidate, timeout=settings.candidate_timeout)
    return Pipeline(settings, profile=PathProfile(), compare=no_compare, client=client)


def _factory(settings: ShadowSettings) -> ShadowLeg:
    if os.environ.get("BENCH_TEE_MODE", "worker") == "inprocess":
        return tee_only_pipeline(settings)
    worker = [sys.executable, str(Path(__file__).with_name("tee_only_worker.py"))]
    return OffloadedPipeline(settings, worker=worker)


addons = [Shadow(_factory)]
