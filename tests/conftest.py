"""Shared fixtures. The primary is always the real vibe-kanban 0.0.71 binary (fetched once, cached)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from shadow.candidate import Candidate, start_candidate
from shadow.reference.agent import install_scripted_agent
from shadow.reference.instance import Instance, start_instance


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
