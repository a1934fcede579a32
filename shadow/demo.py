"""``parity demo``: the main job on embedded defaults.

For now: two fresh real vibe-kanban 0.0.71 instances (the second stands in for the candidate; a system
against itself shows the noise floor), the workflow recorded against both at once, both HARs written to
``out/demo-<timestamp>/``, and the ``parity compare`` summary of the pair. Later issues add the proxy and
the Convex candidate as options. Everything started here is stopped on exit, Ctrl-C included.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from shadow.offline import DEFAULT_PROFILE, OfflineComparison, compare_files, render_comparison
from shadow.reference.instance import Instance, start_instance
from shadow.workload import ALL, RecordedWorkflow, record_workflow

__all__ = ["DemoResult", "run_demo"]

SIDES = ("primary", "secondary")


@dataclass(frozen=True)
class DemoResult:
    directory: Path
    recordings: tuple[RecordedWorkflow, RecordedWorkflow]
    comparison: OfflineComparison


def run_demo(
    out: Path = Path("out"),
    *,
    families: Iterable[str] = ALL,
    profile: str = DEFAULT_PROFILE,
    console: Console | None = None,
) -> DemoResult:
    """Record the workflow against two fresh real instances in parallel and compare the recordings."""
    console = console or Console()
    directory = out / f"demo-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    directory.mkdir(parents=True, exist_ok=True)
    chosen = tuple(families)
    cancel = threading.Event()
    scratch = Path(tempfile.mkdtemp(prefix="vk-parity-demo-"))
    instances: list[Instance] = []
    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="demo") as pool:
            console.print("Starting two fresh vibe-kanban 0.0.71 instances ...")
            started = [pool.submit(start_instance) for _ in SIDES]
            instances.extend(_results(started, cancel))
            console.print(f"Recording the workflow against {', '.join(i.base_url for i in instances)} ...")
            runs = [
                pool.submit(
                    record_workflow,
                    instance.base_url,
                    directory=directory,
                    name=name,
                    workdir=scratch / name,
                    families=chosen,
                    cancel=cancel,
                )
                for name, instance in zip(SIDES, instances, strict=True)
            ]
            first, second = _results(runs, cancel)
    finally:
        cancel.set()
        for instance in instances:
            instance.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    for recording in (first, second):
        problems = recording.report.problems()
        console.print(f"{recording.name}: {recording.report.requests} requests in {recording.report.seconds:.1f}s")
        for line in problems:
            console.print(f"  [yellow]{line}[/yellow]")
    comparison = compare_files(first.har_path, second.har_path, profile=profile)
    render_comparison(comparison, console)
    console.print(f"HAR files: {first.har_path} {second.har_path}")
    return DemoResult(directory=directory, recordings=(first, second), comparison=comparison)


def _results[T](futures: list[Future[T]], cancel: threading.Event) -> list[T]:
    """Wait for every future; on Ctrl-C (or any failure) tell the others to stop, then re-raise."""
    try:
        return [future.result() for future in futures]
    except BaseException:
        cancel.set()
        for future in futures:
            future.cancel()
        raise
