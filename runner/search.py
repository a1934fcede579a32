"""``project.search``: ``GET /api/projects/{id}/search?q=`` (``routes/projects.rs`` + ``file_ranker.rs``).

Walks the repository (hidden and git-ignored files included, ``.git`` skipped, symlinks not followed),
matches case-insensitively on the file name (FileName), else on the relative path, as DirectoryName when
the parent directory's name matches, else FullPath; then ranks by match type and the git history of the
last 100 commits from HEAD (recency and frequency), stably, and keeps 10.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from runner.errors import api_error, soft_error
from runner.fs import rust_io_error
from runner.git import GitError, git

__all__ = ["COMMIT_LIMIT", "MAX_RESULTS", "SearchPayload", "file_stats", "search"]

MAX_RESULTS = 10
COMMIT_LIMIT = 100
BASE_SCORE = {"FileName": 100, "DirectoryName": 10, "FullPath": 1}
RECENCY_WEIGHT = 2
FREQUENCY_WEIGHT = 1


class SearchPayload(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    repo_path: str = Field(alias="repoPath")
    q: str | None = None


@dataclass
class FileStat:
    last_index: int  # 0 = the newest commit that touched the file
    commit_count: int


def file_stats(repo: str) -> dict[str, FileStat]:
    """Per path: how recently and how often the last 100 commits (commit-time order from HEAD) touched it;
    each commit is compared with its first parent. Empty when there is no history (as the primary)."""
    try:
        out = git(
            [
                "log",
                "-z",
                f"-n{COMMIT_LIMIT}",
                "--format=%x01%H",
                "--name-only",
                "--no-renames",
                "--diff-merges=first-parent",
            ],
            repo,
        )
    except GitError:
        return {}
    stats: dict[str, FileStat] = {}
    for index, record in enumerate(part for part in out.split("\x01") if part):
        _sha, _, names = record.partition("\n")
        for path in names.split("\0"):
            path = path.strip("\n")
            if not path:
                continue
            stat = stats.get(path)
            if stat is None:
                stats[path] = FileStat(last_index=index, commit_count=1)
            else:
                stat.commit_count += 1
    return stats


def _score(result: dict[str, Any], stats: dict[str, FileStat]) -> int:
    base = BASE_SCORE[result["match_type"]] * 1000
    stat = stats.get(result["path"])
    if stat is None:
        return base
    recency = (100 - min(stat.last_index, 99)) * RECENCY_WEIGHT
    return base + recency * 10 + stat.commit_count * FREQUENCY_WEIGHT


def _walk(root: str, query: str, results: list[dict[str, Any]], rel: str = "") -> None:
    directory = os.path.join(root, rel) if rel else root
    try:
        with os.scandir(directory) as listing:
            entries = list(listing)
    except OSError as exc:
        raise api_error(f"Failed to search files: {rust_io_error(exc)}") from exc
    for entry in entries:
        if entry.name == ".git":
            continue
        rel_path = os.path.join(rel, entry.name) if rel else entry.name
        full = os.path.join(root, rel_path)
        if query in entry.name.lower():
            results.append({"path": rel_path, "is_file": os.path.isfile(full), "match_type": "FileName"})
        elif query in rel_path.lower():
            parent = os.path.basename(os.path.dirname(rel_path)).lower()
            match_type = "DirectoryName" if query in parent else "FullPath"
            results.append({"path": rel_path, "is_file": os.path.isfile(full), "match_type": match_type})
        if entry.is_dir(follow_symlinks=False):
            _walk(root, query, results, rel_path)


def search(payload: SearchPayload) -> list[dict[str, Any]]:
    query = (payload.q or "").strip()
    if not query:
        raise soft_error("Query parameter 'q' is required and cannot be empty")
    repo = payload.repo_path
    if not os.path.exists(repo):
        # The primary answers a bare 500 (shape F) here; the compatibility layer maps api errors of search so.
        raise api_error("Repository path does not exist")
    results: list[dict[str, Any]] = []
    _walk(repo, query.lower(), results)
    stats = file_stats(repo)
    results.sort(key=lambda r: _score(r, stats), reverse=True)
    return results[:MAX_RESULTS]
