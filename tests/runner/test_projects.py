"""project.prepare against real git repositories (CONTRACT §3 POST /api/projects, corrections item 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.confine import OUTSIDE_ROOTS, Roots
from runner.errors import CommandError
from runner.projects import PreparePayload, prepare

from .conftest import run_git


def prep(path: Path | str, use_existing: bool, root: Path) -> dict:
    return prepare(PreparePayload(path=str(path), useExisting=use_existing), Roots([root]))


def soft(path: Path | str, use_existing: bool, root: Path) -> str:
    with pytest.raises(CommandError) as caught:
        prep(path, use_existing, root)
    assert caught.value.kind == "soft"
    return caught.value.message


def log(repo: Path) -> str:
    return run_git(repo, "log", "--format=%an <%ae>|%s|%T", "main")


def test_new_project_creates_the_directory_and_a_main_branch_with_an_initial_commit(tmp_path: Path) -> None:
    target = tmp_path / "new" / "project"
    assert prep(target, False, tmp_path) == {
        "path": str(target),
        "createdDirectory": True,
        "initializedRepo": True,
        "initialCommit": True,
    }
    assert run_git(target, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    name_subject_tree = log(target).strip().split("|")
    assert name_subject_tree[1:] == ["Initial commit", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"]  # the empty tree


def test_initial_commit_author_falls_back_without_an_identity(tmp_path: Path, isolated_home: Path) -> None:
    target = tmp_path / "anon"
    prep(target, False, tmp_path)
    assert log(target).startswith("Vibe Kanban <noreply@vibekanban.com>|Initial commit|")


def test_initial_commit_uses_the_repositorys_identity(tmp_path: Path, isolated_home: Path) -> None:
    (isolated_home / ".gitconfig").write_text("[user]\n\tname = Ada\n\temail = ada@example.invalid\n")
    target = tmp_path / "named"
    prep(target, False, tmp_path)
    assert log(target).startswith("Ada <ada@example.invalid>|")


def test_new_project_in_an_existing_repository_leaves_it_alone(make_repo, tmp_path: Path) -> None:
    repo = make_repo("repo")
    before = log(repo)
    assert prep(repo, False, tmp_path)["initializedRepo"] is False
    assert log(repo) == before


def test_existing_empty_repo_on_the_unborn_default_branch_gets_main(make_repo, tmp_path: Path) -> None:
    repo = make_repo("legacy", branch="master", commit=False)
    assert prep(repo, True, tmp_path)["initialCommit"] is True
    assert run_git(repo, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert "Initial commit" in log(repo)


def test_existing_empty_repo_already_on_main_gets_no_commit(make_repo, tmp_path: Path) -> None:
    # libgit2's is_empty() wants HEAD on the *initial* branch (master unless init.defaultBranch says otherwise).
    repo = make_repo("fresh", branch="main", commit=False)
    assert prep(repo, True, tmp_path)["initialCommit"] is False
    assert run_git(repo, "for-each-ref").strip() == ""


def test_existing_repo_with_history_is_untouched_and_a_rerun_is_harmless(make_repo, tmp_path: Path) -> None:
    repo = make_repo("used")
    before = log(repo)
    for _ in range(2):
        assert prep(repo, True, tmp_path)["initialCommit"] is False
    assert log(repo) == before


def test_the_primarys_messages_for_bad_existing_paths(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "plain").mkdir()
    assert soft(tmp_path / "missing", True, tmp_path) == "The specified path does not exist"
    assert soft(tmp_path / "file", True, tmp_path) == "The specified path is not a directory"
    assert soft(tmp_path / "plain", True, tmp_path) == "The specified directory is not a git repository"


def test_paths_outside_the_roots_are_refused_and_nothing_is_created(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    assert soft(root / ".." / "escaped", False, root) == OUTSIDE_ROOTS
    assert not (tmp_path / "escaped").exists()
    (root / "door").symlink_to(tmp_path)
    assert soft(root / "door" / "via-link", False, root) == OUTSIDE_ROOTS
    assert not (tmp_path / "via-link").exists()


def repo_state(repo: Path) -> tuple[str, str]:
    head = run_git(repo, "symbolic-ref", "HEAD").strip()
    refs = run_git(repo, "for-each-ref", "--format=%(refname) %(subject) %(tree)")
    return head, refs


@pytest.mark.e2e
def test_prepare_matches_the_primary(reference, tmp_path: Path, make_repo) -> None:
    from .conftest import primary_project

    # New projects (the primary's HOME has its own identity, so only authors may differ).
    mine, theirs = tmp_path / "mine" / "new", tmp_path / "theirs" / "new"
    prep(mine, False, tmp_path)
    assert isinstance(primary_project(reference, theirs, use_existing=False), dict)
    assert repo_state(mine) == repo_state(theirs)
    # Existing empty repositories: unborn master gets main + a commit, unborn main gets nothing.
    for branch in ["master", "main"]:
        a, b = (
            make_repo(f"mine-{branch}", branch=branch, commit=False),
            make_repo(f"theirs-{branch}", branch=branch, commit=False),
        )
        prep(a, True, tmp_path)
        assert isinstance(primary_project(reference, b), dict)
        assert repo_state(a) == repo_state(b), branch
    # The soft errors.
    (tmp_path / "file").write_text("x")
    (tmp_path / "plain").mkdir()
    for path in [tmp_path / "missing", tmp_path / "file", tmp_path / "plain"]:
        assert primary_project(reference, path) == ("soft", soft(path, True, tmp_path))
