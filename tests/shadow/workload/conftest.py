"""One real workflow run against one fresh real instance, shared by every driver and step test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from shadow.har import HarCapture
from shadow.reference.instance import start_instance
from shadow.workload import RecordedWorkflow


@pytest.fixture(scope="session")
def recorded_primary(workflow: Callable[..., RecordedWorkflow]) -> Iterator[RecordedWorkflow]:
    instance = start_instance()
    try:
        recorded = workflow(instance.base_url, name="primary")
    finally:
        instance.stop()
    yield recorded


@pytest.fixture(scope="session")
def primary_capture(recorded_primary: RecordedWorkflow) -> HarCapture:
    return recorded_primary.capture()
