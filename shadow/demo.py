"""``parity demo``: the main job on embedded defaults.

Mode ``proxy`` (the default): a fresh real vibe-kanban 0.0.71 (the primary), the candidate on this machine
(the convex-test host standing in for Convex, plus the runner), the shadow proxy in front of the primary
teeing every exchange to the candidate, and the whole workflow driven *through the proxy*. The workload's
local repositories are built twice, identically (one copy per backend), and the proxy rewrites the
primary's copy into the candidate's in the candidate's requests; each side's own directories are masked
when comparing. The parity report is then read from the evidence store.

Mode ``two-primaries`` (the noise floor): the workflow recorded against two fresh real instances at once
and compared offline; a system against itself shows what differs between two runs of the same thing.

Everything lands in ``out/demo-<timestamp>/``. Everything started is stopped by pid on the way out,
Ctrl-C and SIGTERM included.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Literal

from rich.console import Console

from comparators.noise import NoiseModel
from shadow.offline import DEFAULT_PROFILE, OfflineComparison, compare_files, observed, render_comparison
from shadow.parity_report import ParityReport, build_report, render_report
from shadow.reference.instance import WORKTREES_DIR, Instance, free_port, start_instance
from shadow.store import ResultStore
from shadow.workload import ALL, HarRecorder, RecordedWorkflow, WorkflowReport, record_workflow, run_workflow

__all__ = ["MODES", "BaselineDemo", "DemoMode", "ProxyDemo", "proxy_settings", "run_demo"]

DemoMode = Literal["proxy", "two-primaries"]
MODES: tuple[DemoMode, ...] = ("proxy", "two-primaries")
SIDES = ("primary", "secondary")
# How long a candidate answer that differs on an eventual route is re-read before it is a mismatch: long
# enough for a candidate that runs the attempt chain a little behind the primary, short enough to keep the
# run bounded when it cannot catch up at all (part 1 does not run attempts).
EVENTUAL_WINDOW_S = 8.0
# A barrier read holds the shadow back only while it is less than this far behind the client.
BARRIER_MAX_LAG_S = 10.0


@dataclass(frozen=True)
class ProxyDemo:
    """A finished proxy-mode run: where the evidence is, what ran, the report, and every process started."""

    directory: Path
    store: Path
    har: Path
    proxy_log: Path
    workflow: WorkflowReport
    report: ParityReport
    scratch: Path  # the two work directories' parent: removed at the end
    started: dict[str, int] = field(default_factory=dict)  # what -> pid (each leads a session of its own)


@dataclass(frozen=True)
class BaselineDemo:
    directory: Path
    recordings: tuple[RecordedWorkflow, RecordedWorkflow]
    comparison: OfflineComparison
    noise: Path  # the noise model learned from the two recordings
    started: dict[str, int] = field(default_factory=dict)


def run_demo(
    out: Path = Path("out"),
    *,
    mode: DemoMode = "proxy",
    families: Iterable[str] = ALL,
    profile: str = DEFAULT_PROFILE,
    poll_timeout: float = 30.0,
    console: Console | None = None,
) -> ProxyDemo | BaselineDemo:
    """Run the demo in ``mode``; see the module docstring."""
    if mode not in MODES:
        raise ValueError(f"unknown demo mode {mode!r} (known: {', '.join(MODES)})")
    console = console or Console()
    directory = out / f"demo-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    directory.mkdir(parents=True, exist_ok=True)
    run = _run_proxy_demo if mode == "proxy" else _run_baseline_demo
    with _terminate_as_interrupt():
        return run(directory, tuple(families), profile, poll_timeout, console)


def proxy_settings(
    *,
    work: tuple[Path, Path],
    homes: tuple[Path, Path],
    worktrees: tuple[Path | None, Path | None] = (WORKTREES_DIR, None),
    profile: str = DEFAULT_PROFILE,
) -> dict[str, Any]:
    """The shadow settings for a run through the proxy: each backend works in its own copy of the workload's
    files (``work``: the primary's, the candidate's; the proxy rewrites the first into the second in the
    candidate's requests), and each has its own HOME and worktree directory; the comparison masks them all.
    The local candidate makes no worktrees yet (``None``)."""
    primary_work, candidate_work = work
    prefixes = [
        {"WORK": str(w), "HOME": str(h), **({"WORKTREES": str(t)} if t is not None else {})}
        for w, h, t in zip(work, homes, worktrees, strict=True)
    ]
    return {
        "profile": profile,
        "candidate_timeout": 15,
        "candidate_rewrites": {str(primary_work): str(candidate_work)},
        "primary_prefixes": prefixes[0],
        "candidate_prefixes": prefixes[1],
        # The client waits on the primary (polls until an agent run ends, reads a live diff) before it goes on;
        # holding what follows until the candidate's read has settled gives the candidate that moment too.
        "stream": {"max_seconds": 2.0, "hold_writes": True},
        "eventual": {
            "window": EVENTUAL_WINDOW_S,
            "first_delay": 0.2,
            "factor": 1.5,
            "barrier": True,
            "barrier_max_lag": BARRIER_MAX_LAG_S,
            "later_primary": True,
        },
        # The candidate runs a process after the primary did (the shadow's lag): its log stream may not be
        # there yet when the primary's is read.
        "eventual_routes": ["/api/execution-processes/{id}/normalized-logs"],
        # On stop, what the shadow still owes is finished first: at most the lag a barrier allows, plus the
        # re-reads still in their window.
        "drain_seconds": BARRIER_MAX_LAG_S + EVENTUAL_WINDOW_S + 20,
    }


def _run_proxy_demo(
    directory: Path, families: tuple[str, ...], profile: str, poll_timeout: float, console: Console
) -> ProxyDemo:
    from shadow.candidate import Candidate, start_candidate
    from shadow.proxyrun import ProxyRun, start_proxy

    scratch = Path(tempfile.mkdtemp(prefix="vk-parity-demo-"))
    work = (scratch / "work-primary", scratch / "work-candidate")
    for path in work:
        path.mkdir()
    started: dict[str, int] = {}
    primary: Instance | None = None
    candidate: Candidate | None = None
    proxy: ProxyRun | None = None
    recorder: HarRecorder | None = None
    har = directory / "client.har"
    interrupted = False
    try:
        console.print(
            "Starting a fresh vibe-kanban 0.0.71 (primary) and the local candidate (Convex host + runner) ..."
        )
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="demo") as pool:
            starting: list[Future[Any]] = [pool.submit(start_instance), pool.submit(start_candidate, roots=[work[1]])]
            primary, candidate = _wait_all(starting)
        started.update({"primary": primary.pid, "candidate host": candidate.host.pid})
        started.update({f"candidate runner {n}": runner.pid for n, runner in enumerate(candidate.runners)})
        settings = proxy_settings(work=work, homes=(primary.home, candidate.home), profile=profile)
        proxy = start_proxy(
            primary.base_url, candidate.base_url, directory, settings=settings, metrics_port=free_port()
        )
        started["proxy"] = proxy.pid
        console.print(f"primary {primary.base_url}, candidate {candidate.base_url}, proxy {proxy.url}", highlight=False)
        console.print("pids: " + ", ".join(f"{what} {pid}" for what, pid in started.items()), highlight=False)
        console.print(f"Driving the workflow through the proxy (metrics: {proxy.metrics_url}) ...", highlight=False)
        recorder = HarRecorder(backend="proxy", base_url=proxy.url)
        workflow = run_workflow(
            proxy.url,
            workdir=work[0],
            mirror_workdirs=[work[1]],
            recorder=recorder,
            families=families,
            poll_timeout=poll_timeout,
        )
        console.print(f"{workflow.requests} requests in {workflow.seconds:.1f}s", highlight=False)
        for line in workflow.problems():
            console.print(f"  [yellow]{line}[/yellow]")
        console.print("Stopping the proxy: the shadow finishes its comparisons first ...")
        proxy.stop()
    except BaseException:
        interrupted = True
        raise
    finally:
        with _shielded():
            if recorder is not None:
                recorder.write(har)
            if proxy is not None and interrupted:
                proxy.stop(grace=10)  # interrupted: a short drain, then the process group is killed
            _stop_all(proxy, candidate, primary)  # the proxy first: it drains to the candidate
            shutil.rmtree(scratch, ignore_errors=True)
    with ResultStore.open(proxy.store, create=False) as store:
        report = build_report(store)
    render_report(report, console)
    _print_evidence(
        console,
        directory,
        [("store", proxy.store), ("client-side HAR", har), ("proxy log", proxy.log), ("shadow settings", proxy.config)],
        proxy.store,
        report,
    )
    return ProxyDemo(
        directory=directory,
        store=proxy.store,
        har=har,
        proxy_log=proxy.log,
        workflow=workflow,
        report=report,
        scratch=scratch,
        started=started,
    )


def _run_baseline_demo(
    directory: Path, families: tuple[str, ...], profile: str, poll_timeout: float, console: Console
) -> BaselineDemo:
    cancel = threading.Event()
    scratch = Path(tempfile.mkdtemp(prefix="vk-parity-demo-"))
    instances: list[Instance] = []
    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="demo") as pool:
            console.print("Starting two fresh vibe-kanban 0.0.71 instances (the noise floor) ...")
            instances.extend(_wait_all([pool.submit(start_instance) for _ in SIDES]))
            console.print("pids: " + ", ".join(f"{n} {i.pid}" for n, i in zip(SIDES, instances, strict=True)))
            console.print(f"Recording the workflow against {', '.join(i.base_url for i in instances)} ...")
            runs = [
                pool.submit(
                    record_workflow,
                    instance.base_url,
                    directory=directory,
                    name=name,
                    workdir=scratch / name,
                    families=families,
                    cancel=cancel,
                    poll_timeout=poll_timeout,
                )
                for name, instance in zip(SIDES, instances, strict=True)
            ]
            first, second = _wait_all(runs, cancel=cancel)
    finally:
        cancel.set()
        with _shielded():
            _stop_all(*instances)
            shutil.rmtree(scratch, ignore_errors=True)
    for recording in (first, second):
        console.print(f"{recording.name}: {recording.report.requests} requests in {recording.report.seconds:.1f}s")
        for line in recording.report.problems():
            console.print(f"  [yellow]{line}[/yellow]")
    comparison = compare_files(first.har_path, second.har_path, profile=profile)
    render_comparison(comparison, console)
    console.print(f"HAR files: {first.har_path} {second.har_path}", highlight=False, soft_wrap=True)
    # What a system does not agree with itself on, for `compare --noise` and the proxy's `noise_model`.
    noise = observed(NoiseModel(), [comparison])  # the comparison just made, not a second one
    noise_path = directory / "noise.json"
    noise_path.write_text(noise.to_json())
    console.print(
        f"Noise model ({len(noise.volatile())} volatile field(s) seen in at least {noise.min_observations} "
        f"self-comparisons of a route): {noise_path}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"Compare them again: {_command_name()} compare {first.har_path} {second.har_path}",
        highlight=False,
        soft_wrap=True,
    )
    started = {f"{name} instance": instance.pid for name, instance in zip(SIDES, instances, strict=True)}
    return BaselineDemo(
        directory=directory, recordings=(first, second), comparison=comparison, noise=noise_path, started=started
    )


def _print_evidence(
    console: Console, directory: Path, files: list[tuple[str, Path]], store: Path, report: ParityReport
) -> None:
    console.print(f"\nEvidence in {directory}/:", highlight=False)
    for what, path in files:
        console.print(f"  {what}: {path}", highlight=False)
    example = report.signatures[0].signature if report.signatures else "SIGNATURE"
    parity = _command_name()
    console.print("Dig in:", highlight=False)
    console.print(f"  {parity} results --store {store}", highlight=False, soft_wrap=True)
    console.print(f"  {parity} show {example} --store {store}", highlight=False, soft_wrap=True)


def _command_name() -> str:
    """How to call ``parity`` from here: the virtualenv's script, relative when it is below this directory."""
    script = Path(sys.executable).with_name("parity")
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script) if script.exists() else "parity"


# ------------------------------------------------------------------------------------------ process care


def _stop_all(*things: Any) -> None:
    """Stop each (in the order given), never raising: one that fails must not keep the others running."""
    for thing in things:
        if thing is None:
            continue
        try:
            thing.stop()
        except Exception as exc:
            print(f"demo: stopping {thing!r} failed: {exc}")


def _wait_all(futures: list[Future[Any]], *, cancel: threading.Event | None = None) -> list[Any]:
    """Every future's result. On Ctrl-C or a failure: tell the others to stop (``cancel``), wait for those
    already running, stop whatever they started (anything with ``stop``), and re-raise."""
    try:
        return [future.result() for future in futures]
    except BaseException:
        if cancel is not None:
            cancel.set()
        for future in futures:
            future.cancel()
        with _shielded():
            done = [f.result() for f in futures if not f.cancelled() and f.exception() is None]
            _stop_all(*(thing for thing in done if hasattr(thing, "stop")))
        raise


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C (so every ``finally`` stops what it started); main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _shielded() -> Iterator[None]:
    """Clean-up must not be cut short by a second Ctrl-C (it is bounded: the proxy's drain, then kill)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
