"""Helpers for runner tests: real git repositories in tmp_path, with fixed commit dates."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

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
