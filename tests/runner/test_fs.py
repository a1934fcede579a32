"""fs.listDirectory and fs.gitRepos against real directories in tmp_path."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from runner.confine import OUTSIDE_ROOTS, Roots
from runner.errors import CommandError
from runner.fs import DirectoryPayload, git_repos, list_directory

from .conftest import run_git


def listing(path: str | None, root: Path, default: Path | None = None) -> dict:
    return list_directory(DirectoryPayload(path=path), Roots([root]), default or root)


def soft(call) -> str:
    with pytest.raises(CommandError) as caught:
        call()
    assert caught.value.kind == "soft"
    return caught.value.message


class TestListDirectory:
    def test_directories_first_case_insensitive_dot_entries_hidden(self, tmp_path: Path) -> None:
        for name in ["beta", "Alpha", ".hidden-dir"]:
            (tmp_path / name).mkdir()
        for name in ["b.txt", "A.txt", ".env"]:
            (tmp_path / name).write_text("x")
        result = listing(str(tmp_path), tmp_path)
        assert [e["name"] for e in result["entries"]] == ["Alpha", "beta", "A.txt", "b.txt"]
        assert result["current_path"] == str(tmp_path)
        assert result["entries"][0] == {
            "name": "Alpha",
            "path": f"{tmp_path}/Alpha",
            "is_directory": True,
            "is_git_repo": False,
            "last_modified": None,
        }

    def test_git_repos_are_marked_and_symlinks_are_not_directories(self, tmp_path: Path, make_repo) -> None:
        repo = make_repo("repo")
        (tmp_path / "link-to-repo").symlink_to(repo)
        entries = {e["name"]: e for e in listing(str(tmp_path), tmp_path)["entries"]}
        assert entries["repo"]["is_git_repo"] is True
        assert entries["link-to-repo"]["is_directory"] is False
        assert entries["link-to-repo"]["is_git_repo"] is False

    def test_paths_are_echoed_as_given(self, tmp_path: Path) -> None:
        (tmp_path / "a" / "b").mkdir(parents=True)
        given = f"{tmp_path}/a/../a/"
        result = listing(given, tmp_path)
        assert result["current_path"] == given
        assert result["entries"][0]["path"] == f"{given}b"

    def test_no_path_lists_the_default_directory(self, tmp_path: Path) -> None:
        (tmp_path / "home").mkdir()
        (tmp_path / "home" / "x").mkdir()
        result = listing(None, tmp_path, default=tmp_path / "home")
        assert result["current_path"] == str(tmp_path / "home")
        assert [e["name"] for e in result["entries"]] == ["x"]

    def test_the_primarys_error_texts(self, tmp_path: Path) -> None:
        (tmp_path / "file.txt").write_text("x")
        assert soft(lambda: listing(str(tmp_path / "missing"), tmp_path)) == "Directory does not exist"
        assert soft(lambda: listing("", tmp_path)) == "Directory does not exist"
        assert soft(lambda: listing(str(tmp_path / "file.txt"), tmp_path)) == "Path is not a directory"


class TestConfinement:
    """Intended divergence: the primary lists anything; the runner refuses paths outside its roots."""

    def test_dotdot_escape(self, tmp_path: Path) -> None:
        root = tmp_path / "root"
        (root / "sub").mkdir(parents=True)
        assert soft(lambda: listing(f"{root}/sub/../../", root)) == OUTSIDE_ROOTS
        assert soft(lambda: listing(f"{root}/../../../../etc", root)) == OUTSIDE_ROOTS

    def test_absolute_path_elsewhere(self, tmp_path: Path) -> None:
        root = tmp_path / "root"
        root.mkdir()
        assert soft(lambda: listing("/etc", root)) == OUTSIDE_ROOTS
        assert soft(lambda: git_repos(DirectoryPayload(path="/"), Roots([root]), root)) == OUTSIDE_ROOTS

    def test_symlink_leading_out(self, tmp_path: Path) -> None:
        root = tmp_path / "root"
        outside = tmp_path / "outside"
        root.mkdir()
        outside.mkdir()
        (root / "door").symlink_to(outside)
        assert soft(lambda: listing(str(root / "door"), root)) == OUTSIDE_ROOTS

    def test_missing_paths_outside_are_refused_before_existence_is_revealed(self, tmp_path: Path) -> None:
        root = tmp_path / "root"
        root.mkdir()
        assert soft(lambda: listing(str(tmp_path / "nope"), root)) == OUTSIDE_ROOTS


def age(path: Path, seconds: int) -> None:
    when = time.time() - seconds
    os.utime(path, (when, when))


class TestGitRepos:
    def test_finds_repos_to_depth_four_youngest_first_with_age_in_seconds(self, tmp_path: Path, make_repo) -> None:
        old = make_repo("a/old")
        young = make_repo("b/young")
        deep = make_repo("c/1/2/deep")  # depth 4 from tmp_path: found
        make_repo("d/1/2/3/too-deep")  # depth 5: not found
        age(old, 5_000_000)
        age(young, 100)
        age(deep, 10_000)
        result = git_repos(DirectoryPayload(path=str(tmp_path)), Roots([tmp_path]), tmp_path)
        assert [(e["name"], e["path"]) for e in result] == [
            ("young", str(young)),
            ("deep", str(deep)),
            ("old", str(old)),
        ]
        ages = [e["last_modified"] for e in result]
        assert 100 <= ages[0] < 200 and 10_000 <= ages[1] < 10_100 and 5_000_000 <= ages[2] < 5_000_100
        assert all(e["is_directory"] and e["is_git_repo"] for e in result)

    def test_the_base_path_itself_counts_and_hidden_dirs_are_skipped(self, make_repo) -> None:
        base = make_repo("base")
        (base / ".hidden").mkdir()
        run_git(base / ".hidden", "init", "-q")
        result = git_repos(DirectoryPayload(path=str(base)), Roots([base]), base)
        assert [e["name"] for e in result] == ["base"]

    def test_gitignored_directories_are_skipped(self, make_repo) -> None:
        base = make_repo("base")
        (base / ".gitignore").write_text("vendor/\n")
        for name in ["vendor/dep", "tools/helper"]:
            (base / name).mkdir(parents=True)
            run_git(base / name, "init", "-q")
        result = git_repos(DirectoryPayload(path=str(base)), Roots([base]), base)
        assert sorted(e["name"] for e in result) == ["base", "helper"]

    def test_errors(self, tmp_path: Path) -> None:
        roots = Roots([tmp_path])
        (tmp_path / "f").write_text("x")
        assert soft(lambda: git_repos(DirectoryPayload(path=str(tmp_path / "nope")), roots, tmp_path)) == (
            "Directory does not exist"
        )
        assert soft(lambda: git_repos(DirectoryPayload(path=str(tmp_path / "f")), roots, tmp_path)) == (
            "Path is not a directory"
        )


def test_io_errors_print_like_rust() -> None:
    from runner.fs import rust_io_error

    assert rust_io_error(PermissionError(13, "Permission denied")) == "Permission denied (os error 13)"
    assert rust_io_error(FileNotFoundError(2, "x")) == "No such file or directory (os error 2)"


# ---------------------------------------------------------------- parity with the real primary


def soft_or(call) -> object:
    try:
        return call()
    except CommandError as exc:
        return (exc.kind, exc.message)


@pytest.mark.e2e
def test_listing_matches_the_primary(reference, tmp_path: Path, make_repo) -> None:
    from .conftest import primary_data

    base = tmp_path / "tree"
    base.mkdir()
    for name in ["beta", "Alpha", "Ünïcode", ".hidden", "same", "SAME2"]:
        (base / name).mkdir()
    for name in ["b.txt", "A.txt", ".env", "Zed", "same.txt"]:
        (base / name).write_text("x")
    repo = make_repo("tree/repo")
    (base / "link-dir").symlink_to(repo)
    (base / "link-file").symlink_to(base / "b.txt")
    (base / "dangling").symlink_to(base / "nowhere")
    roots, default = Roots([tmp_path]), tmp_path
    for given in [str(base), f"{base}/", f"{base}/beta/../", str(base / "missing"), str(base / "b.txt"), ""]:
        mine = soft_or(lambda g=given: list_directory(DirectoryPayload(path=g), roots, default))
        theirs = primary_data(reference, "/api/filesystem/directory", path=given)
        assert mine == theirs, given


@pytest.mark.e2e
def test_git_repo_discovery_matches_the_primary(reference, tmp_path: Path, make_repo) -> None:
    from .conftest import primary_data

    base = make_repo("base")
    (base / ".gitignore").write_text("ignored/\n")
    for i, rel in enumerate(["a/one", "b/c/two", "ignored/three", ".hid/four", "d/e/f/five", "d/e/f/g/six"]):
        make_repo(f"base/{rel}")
        age(base / rel, 1000 * (i + 1))
    (base / "z-link").symlink_to(base / "a" / "one")
    age(base, 50_000)
    for given in [str(base), str(base / "missing")]:
        mine = soft_or(lambda g=given: git_repos(DirectoryPayload(path=g), Roots([tmp_path]), tmp_path))
        theirs = primary_data(reference, "/api/filesystem/git-repos", path=given)
        if isinstance(mine, list):
            assert [(e["name"], e["path"]) for e in mine] == [(e["name"], e["path"]) for e in theirs]
            assert all(abs(m["last_modified"] - t["last_modified"]) <= 2 for m, t in zip(mine, theirs, strict=True))
        else:
            assert mine == theirs
