"""Shared fixtures. The primary is always the real vibe-kanban 0.0.71 binary (fetched once, cached)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

import httpx
import pytest
from hypothesis import settings

from shadow.candidate import Candidate, start_candidate
from shadow.reference.agent import install_scripted_agent
from shadow.reference.instance import Instance, start_instance
from shadow.workload import ALL, RecordedWorkflow, record_workflow

# Property tests judge correctness, not speed: on a shared 2-core machine running real instances beside
# them, hypothesis' default 200 ms deadline per example fails tests that are right. A failure prints the
# blob that reproduces it (@reproduce_failure), so a rare counterexample found in CI can be replayed.
settings.register_profile("parity", deadline=None, print_blob=True)
settings.load_profile("parity")

# The addon freezes the garbage collector's view of its process once started (shadow_gc_freeze): right for a
# proxy, wrong for this test process, which starts hundreds of them. Tests of the freeze set it themselves.
os.environ.setdefault("SHADOW_GC_FREEZE", "false")


def _started_with_agent() -> Instance:
    instance = start_instance()
    try:
        with httpx.Client(base_url=instance.base_url, timeout=30) as client:
            install_scripted_agent(client)
    except BaseException:
        instance.stop()
        raise
    return instance


@pytest.fixture
def primary() -> Iterator[Instance]:
    """A fresh real instance with the scripted agent installed as CLAUDE_CODE/FAKE."""
    instance = _started_with_agent()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def primary_pair() -> Iterator[tuple[Instance, Instance]]:
    """Two fresh real instances started at once (the noise baseline: a system against itself)."""
    first = _started_with_agent()
    try:
        second = _started_with_agent()
    except BaseException:
        first.stop()
        raise
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


@pytest.fixture
def candidate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Candidate]:
    """The candidate stack: the convex-test host (a stand-in for a Convex deployment) plus one runner,
    confined to a fresh directory (``candidate.roots[0]``)."""
    started = start_candidate(roots=[tmp_path_factory.mktemp("candidate-root")])
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="session")
def workflow(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., RecordedWorkflow]:
    """Run the workflow driver against a base URL: ``workflow(base_url, name=..., families=...)`` returns
    the report and the HAR it recorded (``.report``, ``.har_path``, ``.capture()``). Session-scoped so
    module-scoped fixtures can use it; every call gets its own directory."""

    def run(base_url: str, *, name: str = "primary", families: Iterable[str] = ALL) -> RecordedWorkflow:
        directory = tmp_path_factory.mktemp(f"workflow-{name}")
        return record_workflow(base_url, directory=directory, name=name, families=families)

    return run
