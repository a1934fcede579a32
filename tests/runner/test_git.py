"""git.branches against real repositories with fixed commit dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import CommandError
from runner.git import branches, git

from .conftest import commit_file, run_git


def test_current_first_then_newest_commit_first_locals_and_remotes_mixed(make_repo) -> None:
    repo: Path = make_repo("repo")  # main at 2025-01-02
    run_git(repo, "checkout", "-q", "-b", "old-branch")
    run_git(repo, "checkout", "-q", "-b", "newer")
    commit_file(repo, "n.txt", "n", date="2025-03-01T00:00:00Z")
    run_git(repo, "checkout", "-q", "-b", "remote-src", "main")
    commit_file(repo, "r.txt", "r", date="2025-03-01T00:00:00Z")
    run_git(repo, "update-ref", "refs/remotes/origin/aaa-remote", "HEAD")
    run_git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/aaa-remote")
    run_git(repo, "checkout", "-q", "main")
    run_git(repo, "branch", "-q", "-D", "remote-src")
    assert branches(str(repo)) == [
        {"name": "main", "is_current": True, "is_remote": False, "last_commit_date": "2025-01-02T00:00:00Z"},
        {"name": "newer", "is_current": False, "is_remote": False, "last_commit_date": "2025-03-01T00:00:00Z"},
        {
            "name": "origin/aaa-remote",
            "is_current": False,
            "is_remote": True,
            "last_commit_date": "2025-03-01T00:00:00Z",
        },
        {"name": "old-branch", "is_current": False, "is_remote": False, "last_commit_date": "2025-01-02T00:00:00Z"},
    ]


def test_empty_repository_has_no_branches(make_repo) -> None:
    assert branches(str(make_repo("empty", commit=False))) == []


def test_detached_head_marks_no_branch_current(make_repo) -> None:
    repo = make_repo("repo")
    run_git(repo, "checkout", "-q", "--detach")
    assert [b["is_current"] for b in branches(str(repo))] == [False]


def test_missing_path_and_non_repository_give_the_primarys_git_errors(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as missing:
        branches(str(tmp_path / "nope"))
    assert missing.value.kind == "api"
    assert missing.value.message == (
        f"GitServiceError: failed to resolve path '{tmp_path}/nope': No such file or directory; "
        "class=Os (2); code=NotFound (-3)"
    )
    (tmp_path / "plain").mkdir()
    with pytest.raises(CommandError) as plain:
        branches(str(tmp_path / "plain"))
    assert plain.value.message.startswith(f"GitServiceError: could not find repository at '{tmp_path}/plain'")


def test_git_ignores_the_callers_git_environment(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo("repo")
    monkeypatch.setenv("GIT_DIR", "/nonexistent")
    assert git(["rev-parse", "--abbrev-ref", "HEAD"], repo).strip() == "main"


@pytest.mark.e2e
def test_branches_match_the_primary(reference, make_repo, tmp_path: Path) -> None:
    from .conftest import primary_data, primary_project

    repo: Path = make_repo("repo")
    for name, date in [
        ("zeta", "2025-02-01T00:00:00Z"),
        ("alpha", "2025-02-01T00:00:00Z"),
        ("feature/x", "2024-12-01T00:00:00Z"),
    ]:
        run_git(repo, "checkout", "-q", "-b", name, "main")
        commit_file(repo, f"{name}.txt", name, date=date)
    run_git(repo, "update-ref", "refs/remotes/origin/remote-one", "alpha")
    run_git(repo, "update-ref", "refs/remotes/origin/older", "main")
    run_git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/remote-one")
    run_git(repo, "checkout", "-q", "zeta")
    project = primary_project(reference, repo)
    assert primary_data(reference, f"/api/projects/{project['id']}/branches") == branches(str(repo))


@pytest.mark.e2e
def test_branch_errors_match_the_primary(reference, tmp_path: Path, make_repo) -> None:
    from .conftest import primary_project

    repo: Path = make_repo("moved")
    project = primary_project(reference, repo)
    gone = tmp_path / "gone"
    reference.put(f"/api/projects/{project['id']}", json={"git_repo_path": str(gone)}).raise_for_status()
    answer = reference.get(f"/api/projects/{project['id']}/branches")
    with pytest.raises(CommandError) as caught:
        branches(str(gone))
    assert (answer.status_code, answer.json()["message"]) == (500, caught.value.message)
    (tmp_path / "plain").mkdir()
    reference.put(f"/api/projects/{project['id']}", json={"git_repo_path": str(tmp_path / "plain")})
    answer = reference.get(f"/api/projects/{project['id']}/branches")
    with pytest.raises(CommandError) as plain:
        branches(str(tmp_path / "plain"))
    assert answer.json()["message"] == plain.value.message
