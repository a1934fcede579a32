"""The runner end to end: real runner subprocesses (``python -m runner``) against the local convex-test
host (a real Node process), real files and git. Crash, restart, shutdown and concurrent claimers."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from runner.confine import Roots
from runner.fs import DirectoryPayload, list_directory
from shadow.candidate import Candidate

from .conftest import enqueue, wait_terminal


def stop_runner(process: subprocess.Popen[bytes], timeout_s: float = 15.0) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=timeout_s)


def wait_for(predicate, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def ledger_lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_commands_run_through_the_runner(stack: Candidate) -> None:
    root = stack.roots[0]
    runner = stack.start_runner()
    try:
        project = root / "proj"
        prepared = wait_terminal(stack, enqueue(stack, "project.prepare", {"path": str(project), "useExisting": False}))
        assert prepared["status"] == "succeeded" and prepared["result"]["initialCommit"] is True
        listed = wait_terminal(stack, enqueue(stack, "fs.listDirectory", {"path": str(root)}))
        expected = list_directory(DirectoryPayload(path=str(root)), Roots([root]), root)
        assert listed == {"status": "succeeded", "result": expected, "error": None}
        branches = wait_terminal(stack, enqueue(stack, "git.branches", {"repoPath": str(project)}))
        assert [b["name"] for b in branches["result"]] == ["main"]
        refused = wait_terminal(stack, enqueue(stack, "fs.listDirectory", {"path": "/etc"}))
        assert refused == {
            "status": "failed",
            "result": None,
            "error": {"kind": "soft", "message": "Path is outside the runner's allowed roots"},
        }
    finally:
        assert stop_runner(runner) == 0


def test_a_runner_killed_mid_command_is_replaced_and_the_effect_happens_once(stack: Candidate) -> None:
    ledger = stack.roots[0] / "kill-ledger.txt"
    first = stack.start_runner()
    command_id = enqueue(stack, "diag.appendOnce", {"path": str(ledger), "line": "effect", "holdS": 30})
    wait_for(lambda: ledger_lines(ledger) == ["effect"])  # the side effect happened; the command still runs
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=5)

    second = stack.start_runner()  # the restart: the lease runs out, the sweeper re-queues, it re-claims
    try:
        state = wait_terminal(stack, command_id, timeout_s=20)
        assert state["status"] == "succeeded"
        assert state["result"] == {"appended": False, "pid": second.pid}  # the re-run found the effect done
        assert ledger_lines(ledger) == ["effect"]
    finally:
        assert stop_runner(second) == 0


def test_sigterm_finishes_the_running_command_then_exits(stack: Candidate) -> None:
    ledger = stack.roots[0] / "term-ledger.txt"
    runner = stack.start_runner()
    command_id = enqueue(stack, "diag.appendOnce", {"path": str(ledger), "line": "graceful", "holdS": 1.5})
    wait_for(lambda: ledger_lines(ledger) == ["graceful"])
    assert stop_runner(runner) == 0
    state = stack.admin_call("query", "commands:get", {"commandId": command_id})
    assert state["status"] == "succeeded" and state["result"]["appended"] is True


def test_an_idle_runner_stops_at_once(stack: Candidate) -> None:
    runner = stack.start_runner()
    started = time.monotonic()
    assert stop_runner(runner, timeout_s=5) == 0
    assert time.monotonic() - started < 3  # the long poll (5 s here) is abandoned, not waited out


def test_four_runners_share_a_hundred_commands_none_twice_none_lost(stack: Candidate) -> None:
    ledger = stack.roots[0] / "shared-ledger.txt"
    runners = [stack.start_runner() for _ in range(4)]
    try:
        ids = [enqueue(stack, "diag.appendOnce", {"path": str(ledger), "line": f"cmd-{i}"}) for i in range(100)]
        states = [wait_terminal(stack, command_id, timeout_s=60) for command_id in ids]
    finally:
        codes = [stop_runner(runner) for runner in runners]
    assert codes == [0, 0, 0, 0]
    assert all(state["status"] == "succeeded" for state in states)
    assert all(state["result"]["appended"] is True for state in states)  # a second run would report False
    assert sorted(ledger_lines(ledger)) == sorted(f"cmd-{i}" for i in range(100))
    assert len({state["result"]["pid"] for state in states}) >= 2
