"""project.search against a real repository with a known history."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import CommandError
from runner.search import SearchPayload, file_stats, search

from .conftest import commit_file, run_git


def find(repo: Path, q: str) -> list[dict]:
    return search(SearchPayload(repoPath=str(repo), q=q))


def test_match_types_rank_file_name_then_directory_then_full_path(make_repo) -> None:
    repo: Path = make_repo("repo")
    for rel in ["src/widget/a.txt", "widget.txt", "widgets/deep/b.txt"]:
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text("x")
    results = find(repo, "WIDGET")
    by_path = {r["path"]: r for r in results}
    assert by_path["widget.txt"] == {"path": "widget.txt", "is_file": True, "match_type": "FileName"}
    assert by_path["src/widget"] == {"path": "src/widget", "is_file": False, "match_type": "FileName"}
    assert by_path["src/widget/a.txt"]["match_type"] == "DirectoryName"
    assert by_path["widgets/deep/b.txt"]["match_type"] == "FullPath"
    kinds = [r["match_type"] for r in results]
    assert kinds == sorted(kinds, key=["FileName", "DirectoryName", "FullPath"].index)


def test_git_history_breaks_ties_recent_and_frequent_first(make_repo) -> None:
    repo: Path = make_repo("repo")
    commit_file(repo, "old_note.md", "1", date="2025-01-03T00:00:00Z")
    commit_file(repo, "busy_note.md", "1", date="2025-01-04T00:00:00Z")
    commit_file(repo, "busy_note.md", "2", date="2025-01-05T00:00:00Z")
    commit_file(repo, "fresh_note.md", "1", date="2025-01-06T00:00:00Z")
    (repo / "untracked_note.md").write_text("x")
    stats = file_stats(str(repo))
    assert (stats["fresh_note.md"].last_index, stats["fresh_note.md"].commit_count) == (0, 1)
    assert (stats["busy_note.md"].last_index, stats["busy_note.md"].commit_count) == (1, 2)
    assert [r["path"] for r in find(repo, "note")] == [
        "fresh_note.md",
        "busy_note.md",
        "old_note.md",
        "untracked_note.md",
    ]


def test_hidden_and_ignored_files_are_found_but_not_dot_git(make_repo) -> None:
    repo: Path = make_repo("repo")
    (repo / ".gitignore").write_text(".env.local\n")
    (repo / ".env.local").write_text("SECRET=1")
    paths = [r["path"] for r in find(repo, "env")]
    assert ".env.local" in paths
    assert not any(p.startswith(".git/") for p in [r["path"] for r in find(repo, "HEAD")])


def test_at_most_ten_results(make_repo) -> None:
    repo: Path = make_repo("repo")
    for i in range(15):
        (repo / f"item{i}.txt").write_text("x")
    assert len(find(repo, "item")) == 10


def test_symlinked_directories_are_not_entered(make_repo, tmp_path: Path) -> None:
    repo: Path = make_repo("repo")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret-target.txt").write_text("x")
    (repo / "link").symlink_to(tmp_path / "elsewhere")
    assert find(repo, "secret-target") == []


def test_blank_query_and_missing_repository(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as blank:
        search(SearchPayload(repoPath=str(tmp_path), q="  "))
    assert (blank.value.kind, blank.value.message) == ("soft", "Query parameter 'q' is required and cannot be empty")
    with pytest.raises(CommandError) as missing:
        search(SearchPayload(repoPath=str(tmp_path / "gone"), q="x"))
    assert missing.value.kind == "api"


def test_no_history_still_searches(make_repo) -> None:
    repo: Path = make_repo("empty", commit=False)
    (repo / "thing.txt").write_text("x")
    assert find(repo, "thing") == [{"path": "thing.txt", "is_file": True, "match_type": "FileName"}]
    assert run_git(repo, "for-each-ref") == ""


@pytest.mark.e2e
def test_search_matches_the_primary(reference, make_repo) -> None:
    from .conftest import primary_data, primary_project

    repo: Path = make_repo("searchable")
    for i, rel in enumerate(["src/config.rs", "src/config/mod.rs", "docs/configuration.md", "config.toml"]):
        commit_file(repo, rel, str(i), date=f"2025-01-{10 + i}T00:00:00Z")
    commit_file(repo, "config.toml", "again", date="2025-01-20T00:00:00Z")
    (repo / ".config.local").write_text("x")
    (repo / "node_modules" / "configlib").mkdir(parents=True)
    for i in range(12):
        (repo / f"Item{i:02d}.txt").write_text("x")
    project = primary_project(reference, repo)
    for q in ["config", " CONFIG ", "item", "mod", "nothing-matches", "rs"]:
        theirs = primary_data(reference, f"/api/projects/{project['id']}/search", q=q)
        assert find(repo, q) == theirs, q
    assert primary_data(reference, f"/api/projects/{project['id']}/search", q=" ") == (
        "soft",
        "Query parameter 'q' is required and cannot be empty",
    )
