"""Deterministic git repositories for the workload, built with the real git CLI.

Identity, dates and contents are fixed and the user's git configuration is ignored, so the same repository
built in two work directories has the same commit SHAs: branch lists and commit dates then compare equal
across backends, and only commits the backends make themselves differ.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

__all__ = ["GitError", "commit_files", "git", "init_repo"]

IDENTITY = {
    "GIT_AUTHOR_NAME": "Parity Fixture",
    "GIT_AUTHOR_EMAIL": "fixture@example.invalid",
    "GIT_COMMITTER_NAME": "Parity Fixture",
    "GIT_COMMITTER_EMAIL": "fixture@example.invalid",
}


class GitError(RuntimeError):
    """A git command failed (the message carries its stderr)."""


def git(repo: Path, *args: str, date: str | None = None) -> str:
    """Run ``git -C repo args...`` with a fixed identity, no user/system config, and ``date`` if given."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(IDENTITY, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C")
    if date is not None:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    result = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    if result.returncode != 0:
        raise GitError(f"git {' '.join(args)} in {repo}: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def init_repo(path: Path, *, branch: str = "main") -> Path:
    """An empty repository at ``path`` on ``branch``, with the fixed identity in its own config."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", branch)
    # The backend commits in its worktrees with the server's identity; this one is only for our commits.
    git(path, "config", "user.name", IDENTITY["GIT_AUTHOR_NAME"])
    git(path, "config", "user.email", IDENTITY["GIT_AUTHOR_EMAIL"])
    return path


def commit_files(repo: Path, files: Mapping[str, str], message: str, *, date: str) -> str:
    """Write ``files`` (relative path -> text), commit them all at ``date``; returns the new SHA."""
    for relative, text in files.items():
        target = repo / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD").strip()
