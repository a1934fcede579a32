"""Record the workflow against one backend into a HAR file: the unit the fixture, the demo and the e2e
tests share."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from shadow.har import HarCapture, read_har
from shadow.workload.driver import ALL, WorkflowReport, run_workflow
from shadow.workload.recorder import HarRecorder

__all__ = ["RecordedWorkflow", "record_workflow"]


@dataclass(frozen=True)
class RecordedWorkflow:
    """A finished run: the driver's report and the HAR it wrote."""

    name: str
    report: WorkflowReport
    har_path: Path

    def capture(self) -> HarCapture:
        return read_har(self.har_path)


def record_workflow(
    base_url: str,
    *,
    directory: Path,
    name: str = "primary",
    workdir: Path | None = None,
    families: Iterable[str] = ALL,
    agent_python: str | None = None,
    cancel: threading.Event | None = None,
    poll_timeout: float = 60.0,
) -> RecordedWorkflow:
    """Run the workflow against ``base_url`` and write ``directory/<name>.har``, even when steps failed (the
    report says which). The workload's repositories go to ``workdir`` (default ``directory/<name>-work``)."""
    directory.mkdir(parents=True, exist_ok=True)
    recorder = HarRecorder(backend=name, base_url=base_url)
    try:
        report = run_workflow(
            base_url,
            workdir=workdir or directory / f"{name}-work",
            recorder=recorder,
            families=families,
            agent_python=agent_python,
            cancel=cancel,
            poll_timeout=poll_timeout,
        )
    finally:
        har_path = recorder.write(directory / f"{name}.har")
    return RecordedWorkflow(name=name, report=report, har_path=har_path)
