"""Helpers for runner tests: real git repositories in tmp_path, with fixed commit dates."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shadow.candidate import Candidate, start_candidate
from shadow.reference.instance import running_instance

GitRun = Callable[..., str]


def run_git(repo: Path, *args: str, date: str = "2025-01-02T00:00:00Z") -> str:
    """git in ``repo`` with a fixed identity and dates (so commit dates are known, not measured)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
    )
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def commit_file(repo: Path, rel: str, content: str, *, date: str = "2025-01-02T00:00:00Z") -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", f"change {rel}", date=date)


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """``make_repo("name", branch="main")``: an initialised repository with one commit of README.md."""

    def make(name: str = "repo", *, branch: str = "main", commit: bool = True) -> Path:
        repo = tmp_path / name
        repo.mkdir(parents=True)
        run_git(repo, "init", "-q", f"--initial-branch={branch}")
        if commit:
            commit_file(repo, "README.md", "hello\n")
        return repo

    return make


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME without any git identity (git reads ~/.gitconfig and $XDG_CONFIG_HOME/git/config)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home


# ---------------------------------------------------------------- the candidate stack, for protocol tests

LEASE_MS = 1500  # short leases so crash tests see a re-claim within seconds
SWEEP_MS = 200  # the host's stand-in for crons.interval runs the sweeper this often


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Candidate]:
    """The convex-test host (a real Node process) with short leases and no runner yet; tests start real
    runner subprocesses with ``stack.start_runner()`` (diagnostic commands enabled)."""
    root = tmp_path_factory.mktemp("runner-root")
    started = start_candidate(
        roots=[root],
        runners=0,
        host_env={"RUNNER_LEASE_MS": str(LEASE_MS), "CONVEX_TEST_HOST_CRON_MS": str(SWEEP_MS)},
        runner_env={"RUNNER_ENABLE_DIAGNOSTICS": "1", "RUNNER_CLAIM_WAIT_S": "5"},
    )
    try:
        yield started
    finally:
        started.stop()


def enqueue(stack: Candidate, kind: str, payload: Any, dedup_key: str | None = None) -> str:
    args: dict[str, Any] = {"kind": kind, "payload": payload}
    if dedup_key is not None:
        args["dedupKey"] = dedup_key
    return str(stack.admin_call("mutation", "commands:enqueue", args))


def wait_terminal(stack: Candidate, command_id: str, timeout_s: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = stack.admin_call("query", "commands:get", {"commandId": command_id})
        if state["status"] in {"succeeded", "failed", "expired"}:
            return dict(state)
        time.sleep(0.05)
    raise AssertionError(f"command {command_id} not finished after {timeout_s} s; host log:\n{stack.log_tail()}")


# ---------------------------------------------------------------- the real primary, as the oracle


@pytest.fixture(scope="session")
def reference() -> Iterator[httpx.Client]:
    """A real vibe-kanban 0.0.71 instance (no agent needed): the handlers' answers are compared with its
    answers for the very same directories and repositories."""
    with running_instance() as instance, httpx.Client(base_url=instance.base_url, timeout=30) as client:
        yield client


def primary_data(client: httpx.Client, route: str, **params: Any) -> Any:
    """``data`` of a success envelope, or ``("soft", message)`` for a shape-A answer."""
    response = client.get(route, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["data"] if body["success"] else ("soft", body["message"])


def primary_project(client: httpx.Client, repo: Path, *, use_existing: bool = True) -> Any:
    response = client.post(
        "/api/projects", json={"name": repo.name, "git_repo_path": str(repo), "use_existing_repo": use_existing}
    )
    body = response.json()
    return body["data"] if body["success"] else ("soft", body["message"])
