from __future__ import annotations

from pathlib import Path

import pytest

from shadow.workload.gitrepo import GitError, commit_files, git, init_repo


def test_same_content_and_date_give_the_same_sha(tmp_path: Path) -> None:
    shas = []
    for name in ("a", "b"):
        repo = init_repo(tmp_path / name)
        shas.append(commit_files(repo, {"x/y.txt": "hello\n"}, "First", date="2025-01-01T00:00:00Z"))
    assert shas[0] == shas[1] and len(shas[0]) == 40
    assert git(tmp_path / "a", "log", "-1", "--format=%an <%ae> %aI").strip() == (
        "Parity Fixture <fixture@example.invalid> 2025-01-01T00:00:00+00:00"
    )
    assert git(tmp_path / "a", "branch", "--show-current").strip() == "main"


def test_failures_carry_gits_message(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    with pytest.raises(GitError, match="no-such-branch"):
        git(repo, "checkout", "no-such-branch")
