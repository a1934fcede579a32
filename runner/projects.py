"""``project.prepare``: the file-system half of ``POST /api/projects`` (``routes/projects.rs``), with the
primary's exact soft-error texts. The duplicate-path check lives in Convex, which owns the rows.

- ``useExisting``: the path must exist, be a directory and hold ``.git``; an *empty* repository (HEAD a
  symbolic ref to the unborn initial branch, ``init.defaultBranch`` or ``master``, and no refs at all) gets
  an empty-tree "Initial commit" on ``main`` and HEAD moves there (CONTRACT-CORRECTIONS item 19).
- new: the directory is created if needed and, unless it already holds ``.git``, ``git init`` with
  ``main`` plus the same initial commit.
The author is the repository's ``user.name``/``user.email`` (as libgit2's ``repo.signature()``), else
``Vibe Kanban <noreply@vibekanban.com>``. Re-running is safe: a repository with a commit is left alone.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from runner.confine import Roots
from runner.errors import soft_error
from runner.git import GitError, git

__all__ = ["FALLBACK_AUTHOR", "PreparePayload", "prepare"]

FALLBACK_AUTHOR = ("Vibe Kanban", "noreply@vibekanban.com")
EMPTY_TREE_INPUT = b""


class PreparePayload(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    path: str
    use_existing: bool = Field(alias="useExisting")


def _config(repo: str, key: str) -> str | None:
    try:
        value = git(["config", "--get", key], repo).strip()
    except GitError:
        return None
    return value or None


def _signature(repo: str) -> tuple[str, str]:
    name, email = _config(repo, "user.name"), _config(repo, "user.email")
    return (name, email) if name and email else FALLBACK_AUTHOR


def _is_empty(repo: str) -> bool:
    """libgit2's git_repository_is_empty: HEAD points at the unborn initial branch and no ref exists."""
    try:
        head = git(["symbolic-ref", "--quiet", "HEAD"], repo).strip()
    except GitError:
        return False  # detached HEAD or broken repo: libgit2 says "not empty" (or fails later)
    initial = _config(repo, "init.defaultBranch") or "master"
    if head != f"refs/heads/{initial}":
        return False
    return git(["for-each-ref", "--count=1", "--format=%(refname)"], repo).strip() == ""


def _initial_commit(repo: str) -> None:
    name, email = _signature(repo)
    identity = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    tree = git(["mktree"], repo, stdin=EMPTY_TREE_INPUT).strip()
    commit = git(["commit-tree", tree], repo, stdin=b"Initial commit", env=identity).strip()
    git(["update-ref", "refs/heads/main", commit], repo)
    git(["symbolic-ref", "HEAD", "refs/heads/main"], repo)


def prepare(payload: PreparePayload, roots: Roots) -> dict[str, Any]:
    path = payload.path
    roots.check(path)
    created_directory = initialized = committed = False
    if payload.use_existing:
        if not os.path.exists(path):
            raise soft_error("The specified path does not exist")
        if not os.path.isdir(path):
            raise soft_error("The specified path is not a directory")
        if not os.path.exists(os.path.join(path, ".git")):
            raise soft_error("The specified directory is not a git repository")
        try:
            if _is_empty(path):
                _initial_commit(path)
                committed = True
        except GitError as exc:
            raise soft_error(f"Failed to ensure main branch exists: {exc.stderr or exc}") from exc
    else:
        if not os.path.exists(path):
            try:
                os.makedirs(path)
            except OSError as exc:
                raise soft_error(f"Failed to create directory: {exc.strerror} (os error {exc.errno})") from exc
            created_directory = True
        if not os.path.exists(os.path.join(path, ".git")):
            try:
                git(["init", "--quiet", "--initial-branch=main"], path)
                _initial_commit(path)
            except GitError as exc:
                raise soft_error(f"Failed to initialize git repository: {exc.stderr or exc}") from exc
            initialized = committed = True
    return {
        "path": path,
        "createdDirectory": created_directory,
        "initializedRepo": initialized,
        "initialCommit": committed,
    }
