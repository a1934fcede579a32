"""One real workflow run against one fresh real instance, shared by every driver and step test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from shadow.har import HarCapture
from shadow.reference.instance import running_instance
from shadow.workload import RecordedWorkflow


@pytest.fixture(scope="session")
def recorded_primary(workflow: Callable[..., RecordedWorkflow]) -> Iterator[RecordedWorkflow]:
    with running_instance() as instance:
        recorded = workflow(instance.base_url, name="primary")
    yield recorded


@pytest.fixture(scope="session")
def primary_capture(recorded_primary: RecordedWorkflow) -> HarCapture:
    return recorded_primary.capture()
