"""``parity demo`` for real, once per mode (module scope: each run starts real processes).

Proxy mode: a fresh real 0.0.71, the local candidate (convex-test host + runner), the real ``parity proxy``
and the whole workflow through it; asserted on the store's contents and on the printed report. Two-primaries
mode: two real instances compared offline (a few families: tests/e2e/test_two_primaries.py runs them all).
Then Ctrl-C and SIGTERM in the middle of a run: everything started is stopped, nothing is left behind.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from shadow.demo import BaselineDemo, ProxyDemo, run_demo
from shadow.offline import load_noise
from shadow.reference.instance import session_members
from shadow.store import ResultStore

AT_PARITY = {"match", "noise", "converged", "intended"}


def survivors(session_id: int) -> list[int]:
    """Live processes of a session (every process the demo starts leads a session of its own)."""
    return session_members(session_id, leader=True, zombies=False)


@pytest.fixture(scope="module")
def proxy_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[ProxyDemo, str]:
    out = io.StringIO()
    result = run_demo(tmp_path_factory.mktemp("demo"), console=Console(file=out, width=160))
    assert isinstance(result, ProxyDemo)
    return result, out.getvalue()


@pytest.fixture(scope="module")
def baseline_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[BaselineDemo, str]:
    out = io.StringIO()
    families = ["system", "templates", "errors"]
    result = run_demo(
        tmp_path_factory.mktemp("baseline"),
        mode="two-primaries",
        families=families,
        console=Console(file=out, width=160),
    )
    assert isinstance(result, BaselineDemo)
    return result, out.getvalue()


def test_proxy_mode_judges_every_exchange_of_the_workflow_into_the_store(proxy_demo: tuple[ProxyDemo, str]) -> None:
    result, _ = proxy_demo
    assert result.directory.name.startswith("demo-")
    assert sorted(p.name for p in result.directory.iterdir() if not p.name.startswith("evidence.db-")) == [
        "client.har",
        "evidence.db",
        "proxy.log",
        "shadow.yaml",
    ]
    assert result.workflow.problems() == []  # the client only ever sees the primary's answers
    with ResultStore.open(result.store, create=False) as store:
        totals = store.totals()
        top = store.top_signatures(100)
    assert totals.total == result.workflow.requests >= 200  # nothing lost in the drain
    assert totals.by_verdict.get("shed", 0) == 0
    assert {"system", "config", "projects", "tasks", "templates", "task_attempts", "execution_processes"} <= set(
        totals.by_group
    )
    assert top and all(s.count >= 1 for s in top)


def test_proxy_mode_report_shows_parity_per_group_and_the_gaps_from_the_data(
    proxy_demo: tuple[ProxyDemo, str],
) -> None:
    result, text = proxy_demo
    report = result.report
    assert "Parity per route group" in text
    header = next(line for line in text.splitlines() if "compared" in line and "mismatch" in line)
    for column in ("match", "noise", "converged", "intended", "candidate error", "timeout", "shed", "parity %"):
        assert column in header, column
    for group in ("config", "templates", "projects", "images", "filesystem"):
        assert report.group(group).parity_percent == 100.0, group
        assert re.search(rf"│ {group}\s.*│\s+100\.0 │", text), group
    # system: everything but the worktree of an attempt the candidate does not run yet
    system = report.group("system")
    assert system.parity_percent is not None and system.parity_percent >= 80
    with ResultStore.open(result.store, create=False) as store:
        rows = store.db.execute(
            "SELECT route, verdict FROM comparisons WHERE route_group = 'system' AND verdict = 'mismatch'"
        ).fetchall()
    assert {route for route, _ in rows} <= {"/api/containers/info"}
    # The candidate's part 1 answers 501 to the attempt routes it does not run yet: said once per group.
    assert "task_attempts" in report.unimplemented
    assert re.search(r"Note: task_attempts: not implemented by the candidate yet: it answered 501", text)
    assert report.group("task_attempts").verdicts["mismatch"] > 0
    assert "Top mismatch signatures" in text and report.signatures
    first = report.signatures[0]
    assert f"{first.method} {first.route}  {first.signature}" in text and first.example
    assert f"parity results --store {result.store}" in text
    assert f"parity show {first.signature} --store {result.store}" in text
    assert str(result.har) in text and str(result.proxy_log) in text


def test_proxy_mode_stopped_everything_it_started(proxy_demo: tuple[ProxyDemo, str]) -> None:
    result, _ = proxy_demo
    assert {"primary", "candidate host", "candidate runner 0", "proxy"} <= set(result.started)
    for what, pid in result.started.items():
        assert survivors(pid) == [], what
    assert not result.scratch.exists()  # both work directories


def test_baseline_mode_is_the_noise_floor(baseline_demo: tuple[BaselineDemo, str]) -> None:
    result, text = baseline_demo
    first, second = result.recordings
    assert first.report.ok and second.report.ok
    assert sorted(p.name for p in result.directory.iterdir()) == ["noise.json", "primary.har", "secondary.har"]
    # The noise model learned from the two recordings loads, and names only fields seen often enough.
    noise = load_noise(result.noise)
    assert sum(noise.routes.values()) == result.comparison.summary.compared
    assert all(seen >= noise.min_observations for _, _, _, seen in noise.volatile())
    assert f"Noise model ({len(noise.volatile())} volatile field(s)" in text
    groups = {group.group: group for group in result.comparison.summary.groups}
    for name in ("system", "config", "templates"):
        assert groups[name].parity_percent is not None and groups[name].parity_percent >= 95, name
    assert "Parity per route group" in text and str(first.har_path) in text
    assert f"parity compare {first.har_path} {second.har_path}" in text
    for what, pid in result.started.items():
        assert survivors(pid) == [], what


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_demo_stops_everything(tmp_path: Path, sig: signal.Signals) -> None:
    """``parity demo`` in its own process, interrupted while the workflow runs through the proxy."""
    parity = str(Path(sys.executable).with_name("parity"))
    argv = [parity, "demo", "--out", str(tmp_path), "--family", "attempts"]
    env = {**os.environ, "COLUMNS": "200"}
    demo = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    assert demo.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 120
    for raw in demo.stdout:
        lines.append(raw.decode(errors="replace"))
        if "Driving the workflow" in lines[-1] or time.monotonic() > deadline:
            break
    pids = [int(pid) for pid in re.findall(r" (\d+)(?:,|$)", next(line for line in lines if line.startswith("pids:")))]
    time.sleep(1.0)  # into the attempt chain
    demo.send_signal(sig)
    rest, _ = demo.communicate(timeout=120)
    output = "".join(lines) + rest.decode(errors="replace")
    assert demo.returncode == 130, output
    assert "everything it started was stopped" in output
    assert len(pids) >= 4
    for pid in pids:
        assert survivors(pid) == [], (pid, output)
    [directory] = tmp_path.iterdir()
    assert (directory / "client.har").exists()  # what ran is kept


def test_an_unknown_mode_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown demo mode 'three'"):
        run_demo(tmp_path, mode="three")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
