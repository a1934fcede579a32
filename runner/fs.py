"""``fs.listDirectory`` and ``fs.gitRepos``: the primary's ``/api/filesystem/directory`` and
``/git-repos`` answers (``services/filesystem.rs``), confined to the runner's roots.

Kept from the primary: directories first then files, case-insensitive by name (stable on ties), dot entries
hidden, symlinks not followed for ``is_directory``, paths echoed as given (``<given>/<name>``, unnormalised),
``last_modified`` null in listings; git repos found up to depth 4 (the base path included), hidden and
git-ignored directories skipped, ``last_modified`` = age in seconds, youngest first.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from runner.confine import Roots
from runner.errors import soft_error
from runner.git import GitError, git

__all__ = ["GIT_REPOS_MAX_DEPTH", "DirectoryPayload", "git_repos", "list_directory", "rust_io_error"]

GIT_REPOS_MAX_DEPTH = 4


class DirectoryPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str | None = None


def rust_io_error(exc: OSError) -> str:
    """An OSError the way Rust's io::Error prints it: "Permission denied (os error 13)"."""
    if exc.errno is None:
        return str(exc)
    return f"{os.strerror(exc.errno)} (os error {exc.errno})"


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes (surrogateescape): Rust's to_str() skips them
        return False
    return True


def _checked_dir(path: str | None, roots: Roots, default: Path) -> str:
    """The directory to read, as given (or the default), after the primary's checks and ours."""
    given = str(default) if path is None else path
    if given == "":
        raise soft_error("Directory does not exist")
    roots.check(given)
    if not os.path.exists(given):
        raise soft_error("Directory does not exist")
    if not os.path.isdir(given):
        raise soft_error("Path is not a directory")
    return given


def list_directory(payload: DirectoryPayload, roots: Roots, default: Path) -> dict[str, Any]:
    path = _checked_dir(payload.path, roots, default)
    entries: list[dict[str, Any]] = []
    try:
        with os.scandir(path) as listing:
            for entry in listing:
                name = entry.name
                if name.startswith(".") or not _utf8(name):
                    continue
                try:
                    is_directory = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_directory = False
                child = os.path.join(path, name)
                entries.append(
                    {
                        "name": name,
                        "path": child,
                        "is_directory": is_directory,
                        "is_git_repo": is_directory and os.path.exists(os.path.join(child, ".git")),
                        "last_modified": None,
                    }
                )
    except OSError as exc:
        raise soft_error(f"Failed to read directory: {rust_io_error(exc)}") from exc
    entries.sort(key=lambda e: (not e["is_directory"], e["name"].lower()))
    return {"entries": entries, "current_path": path}


def _enclosing_repo(path: str) -> str | None:
    """The nearest directory at or above ``path`` holding a ``.git`` (gitignore rules apply only in repos)."""
    current = os.path.abspath(path)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _ignored_children(repo: str | None, children: list[str]) -> set[str]:
    """Which of these directories git ignores (.gitignore files, info/exclude, core.excludesFile), by
    pattern alone (``--no-index``: tracked directories count too, as for the ignore crate)."""
    if repo is None or not children:
        return set()
    stdin = b"".join(os.fsencode(os.path.relpath(child, repo)) + b"/\0" for child in children)
    try:
        out = git(["check-ignore", "--no-index", "-z", "--stdin"], repo, stdin=stdin, ok_codes=(0, 1))
    except GitError:
        return set()
    ignored = {os.path.normpath(os.path.join(repo, rel)) for rel in out.split("\0") if rel}
    return {child for child in children if os.path.normpath(child) in ignored}


def _age_seconds(st: os.stat_result, now: float) -> int:
    age = now - st.st_mtime
    return int(age) if age > 0 else 0


def git_repos(payload: DirectoryPayload, roots: Roots, default: Path) -> list[dict[str, Any]]:
    base = _checked_dir(payload.path, roots, default)
    now = time.time()
    found: list[dict[str, Any]] = []

    def visit(path: str, name: str, st: os.stat_result) -> None:
        if os.path.exists(os.path.join(path, ".git")):
            found.append(
                {
                    "name": name,
                    "path": path,
                    "is_directory": True,
                    "is_git_repo": True,
                    "last_modified": _age_seconds(st, now),
                }
            )

    def walk(path: str, depth: int, repo: str | None) -> None:
        if depth >= GIT_REPOS_MAX_DEPTH:
            return
        repo = path if os.path.exists(os.path.join(path, ".git")) else repo
        children: list[tuple[str, str, os.stat_result, bool]] = []
        try:
            with os.scandir(path) as listing:
                for entry in listing:
                    if entry.name.startswith(".") or not _utf8(entry.name):
                        continue
                    child = os.path.join(path, entry.name)
                    if not os.path.isdir(child):  # follows symlinks, like Rust's Path::is_dir
                        continue
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    children.append((child, entry.name, st, stat.S_ISLNK(st.st_mode)))
        except OSError:
            return  # the walker skips unreadable directories
        ignored = _ignored_children(repo, [child for child, *_ in children])
        for child, name, st, is_link in children:
            if child in ignored:
                continue
            visit(child, name, st)
            if not is_link:  # symlinked directories are listed, never entered
                walk(child, depth + 1, repo)

    base_name = Path(base).name or base
    visit(base, base_name, os.stat(base))
    walk(base, 0, _enclosing_repo(base))
    found.sort(key=lambda e: e["last_modified"])
    return found
