"""Git through the real ``git`` CLI (subprocess), with a clean environment, and the branch listing.

Messages the primary builds from libgit2 errors are reproduced for the common cases (missing path, not a
repository); other failures carry git's own stderr after the primary's ``GitServiceError:`` prefix.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runner.errors import CommandError, api_error

__all__ = ["GitError", "branches", "git", "git_env", "open_repo_error"]


class GitError(Exception):
    def __init__(self, args: Sequence[str], returncode: int, stderr: str) -> None:
        super().__init__(f"git {' '.join(args)} exited {returncode}: {stderr.strip()}")
        self.returncode = returncode
        self.stderr = stderr.strip()


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Our environment without GIT_* (a stray GIT_DIR would redirect every command), never prompting."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    env.update(extra or {})
    return env


def git(
    args: Sequence[str],
    cwd: Path | str,
    *,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    ok_codes: Sequence[int] = (0,),
) -> str:
    """Run ``git <args>`` in ``cwd`` and return stdout (text); GitError on any other exit code."""
    proc = subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=git_env(env),
        timeout=120,
        check=False,
    )
    if proc.returncode not in ok_codes:
        raise GitError(args, proc.returncode, proc.stderr.decode("utf-8", "replace"))
    return proc.stdout.decode("utf-8", "surrogateescape")


def open_repo_error(path: str) -> CommandError | None:
    """The primary's error for a path libgit2 cannot open as a repository, or None when it can."""
    if not os.path.exists(path):
        return api_error(
            f"GitServiceError: failed to resolve path '{path}': No such file or directory; class=Os (2); code=NotFound (-3)"
        )
    try:
        git(["rev-parse", "--git-dir"], path)
    except GitError:
        return api_error(
            f"GitServiceError: could not find repository at '{path}'; class=Repository (6); code=NotFound (-3)"
        )
    return None


def _rfc3339(epoch_seconds: int) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def current_branch(repo: str) -> str:
    """HEAD's short name ("HEAD" when detached), or "" when HEAD is unborn (libgit2's head() fails)."""
    try:
        return git(["rev-parse", "--abbrev-ref", "HEAD"], repo).strip()
    except GitError:
        return ""


def branches(repo_path: str) -> list[dict[str, Any]]:
    """GitBranch list as ``GET /api/projects/{id}/branches``: the current branch first, then every local and
    remote branch by last commit date, newest first (ties keep locals before remotes, each by name)."""
    error = open_repo_error(repo_path)
    if error is not None:
        raise error
    current = current_branch(repo_path)
    fmt = "%(refname)%00%(objecttype)%00%(committerdate:unix)"
    # Sorted by refname, so refs/heads/* (locals) come before refs/remotes/*, as libgit2 lists them.
    listed = git(["for-each-ref", f"--format={fmt}", "refs/heads", "refs/remotes"], repo_path)
    found: list[dict[str, Any]] = []
    now = int(datetime.now(UTC).timestamp())
    for line in listed.splitlines():
        refname, objecttype, date = line.split("\0")
        if refname.startswith("refs/heads/"):
            name, is_remote = refname.removeprefix("refs/heads/"), False
        else:
            name, is_remote = refname.removeprefix("refs/remotes/"), True
            if name.endswith("/HEAD"):
                continue
        seconds = int(date) if objecttype == "commit" and date else now
        found.append(
            {
                "name": name,
                "is_current": not is_remote and name == current,
                "is_remote": is_remote,
                "last_commit_date": seconds,
            }
        )
    found.sort(key=lambda b: (not b["is_current"], -b["last_commit_date"]))
    for branch in found:
        branch["last_commit_date"] = _rfc3339(branch["last_commit_date"])
    return found
