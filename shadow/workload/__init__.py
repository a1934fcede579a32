"""The workflow driver: a deterministic workload over every route family of vibe-kanban 0.0.71, recorded
as HAR 1.2 (see :func:`run_workflow` and :class:`HarRecorder`)."""

from shadow.workload.driver import ALL, FAMILIES, StepOutcome, WorkflowReport, resolve_families, run_workflow
from shadow.workload.recorder import HarRecorder, RecordingTransport
from shadow.workload.recording import RecordedWorkflow, record_workflow

__all__ = [
    "ALL",
    "FAMILIES",
    "HarRecorder",
    "RecordedWorkflow",
    "RecordingTransport",
    "StepOutcome",
    "WorkflowReport",
    "record_workflow",
    "resolve_families",
    "run_workflow",
]
