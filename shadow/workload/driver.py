"""Run the deterministic workload against any backend speaking the vibe-kanban 0.0.71 contract.

Only HTTP is used (never the backend's files), so the same driver runs against the real Rust binary, the
Convex candidate, or the proxy in front of either. Steps run in order; a failing step is recorded and only
the steps that need what it would have produced are skipped (:mod:`shadow.workload.context`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shadow.workload import (
    steps_attempts,
    steps_errors,
    steps_events,
    steps_filesystem,
    steps_images,
    steps_processes,
    steps_projects,
    steps_system,
    steps_tasks,
    steps_templates,
)
from shadow.workload.context import Context, Family, Phase, Step
from shadow.workload.recorder import HarRecorder
from shadow.workload.session import Session, WorkflowCancelled

__all__ = ["ALL", "FAMILIES", "StepOutcome", "WorkflowReport", "resolve_families", "run_workflow"]

# Run order. Errors and events come last: errors need nothing, and the event feed is read once at the end.
FAMILIES: tuple[Family, ...] = (
    steps_system.FAMILY,
    steps_filesystem.FAMILY,
    steps_projects.FAMILY,
    steps_tasks.FAMILY,
    steps_templates.FAMILY,
    steps_images.FAMILY,
    steps_attempts.FAMILY,
    steps_processes.FAMILY,
    steps_errors.FAMILY,
    steps_events.FAMILY,
)
ALL: frozenset[str] = frozenset(family.name for family in FAMILIES)
_BY_NAME = {family.name: family for family in FAMILIES}


class StepOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    family: str
    step: str
    status: Literal["ok", "failed", "skipped"]
    detail: str | None = None
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.family}.{self.step}"


class WorkflowReport(BaseModel):
    """What ran: every step with its outcome, and how many requests were recorded."""

    model_config = ConfigDict(frozen=True)

    base_url: str
    families: tuple[str, ...]
    steps: tuple[StepOutcome, ...]
    requests: int
    seconds: float
    cancelled: bool = False

    @property
    def failed(self) -> list[StepOutcome]:
        return [step for step in self.steps if step.status == "failed"]

    @property
    def skipped(self) -> list[StepOutcome]:
        return [step for step in self.steps if step.status == "skipped"]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped and not self.cancelled

    def problems(self) -> list[str]:
        """One line per failed or skipped step."""
        return [f"{step.name}: {step.status}: {step.detail}" for step in self.steps if step.status != "ok"]


def resolve_families(selected: Iterable[str]) -> tuple[str, ...]:
    """``selected`` plus every family they require, in run order. Unknown names raise ``ValueError``."""
    wanted = set(selected)
    unknown = wanted - ALL
    if unknown:
        raise ValueError(f"unknown workload families: {', '.join(sorted(unknown))} (known: {', '.join(sorted(ALL))})")
    pending = list(wanted)
    while pending:
        for required in _BY_NAME[pending.pop()].requires:
            if required not in wanted:
                wanted.add(required)
                pending.append(required)
    return tuple(family.name for family in FAMILIES if family.name in wanted)


def run_workflow(
    base_url: str,
    *,
    workdir: Path,
    recorder: HarRecorder,
    families: Iterable[str] = ALL,
    agent_python: str | None = None,
    cancel: threading.Event | None = None,
    poll_timeout: float = 60.0,
) -> WorkflowReport:
    """Drive the workload against ``base_url``, recording every exchange into ``recorder``.

    ``workdir`` receives the workload's own git repositories and files (it becomes the ``WORK`` prefix).
    ``agent_python`` is the interpreter the backend runs the scripted agent with (default: this one).
    ``poll_timeout``: how long each wait for a state (a process ending, a task reaching a status) polls.
    """
    chosen = resolve_families(families)
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    recorder.set_prefix("WORK", str(workdir))
    started = time.monotonic()
    outcomes: list[StepOutcome] = []
    cancelled = False
    with Session(base_url, recorder, cancel=cancel, poll_timeout=poll_timeout) as session:
        ctx = Context(session=session, recorder=recorder, workdir=workdir, agent_python=agent_python, cancel=cancel)
        for step in _ordered_steps(chosen):
            if cancelled or (cancel is not None and cancel.is_set()):
                cancelled = True
                outcomes.append(StepOutcome(family=step.family, step=step.name, status="skipped", detail="cancelled"))
                continue
            outcome = _run_step(ctx, step)
            cancelled = outcome.detail == "cancelled"
            outcomes.append(outcome)
    return WorkflowReport(
        base_url=base_url,
        families=chosen,
        steps=tuple(outcomes),
        requests=len(recorder.entries),
        seconds=round(time.monotonic() - started, 3),
        cancelled=cancelled,
    )


def _ordered_steps(chosen: tuple[str, ...]) -> list[Step]:
    return [
        step
        for phase in Phase
        for family in FAMILIES
        if family.name in chosen
        for step in family.steps
        if step.phase is phase
    ]


def _run_step(ctx: Context, step: Step) -> StepOutcome:
    missing = [key for key in step.needs if key not in ctx.state]
    if missing:
        return StepOutcome(family=step.family, step=step.name, status="skipped", detail=f"needs {', '.join(missing)}")
    ctx.family = step.family
    started = time.monotonic()
    try:
        step.run(ctx)
    except WorkflowCancelled:
        return StepOutcome(family=step.family, step=step.name, status="failed", detail="cancelled")
    except Exception as exc:  # any failure is recorded; the run goes on without what this step provides
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        return StepOutcome(family=step.family, step=step.name, status="failed", detail=detail, seconds=_since(started))
    return StepOutcome(family=step.family, step=step.name, status="ok", seconds=_since(started))


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)
