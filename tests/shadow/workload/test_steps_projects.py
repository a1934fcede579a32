"""Projects family, checked on the recorded answers of the real binary."""

from __future__ import annotations

import json
from pathlib import Path

from shadow.har import HarCapture
from shadow.workload.gitrepo import git
from shadow.workload.steps_projects import build_existing_repo


def _data(capture: HarCapture, request_id: str) -> object:
    response = capture.last(request_id).response
    assert response is not None
    envelope = json.loads(response.body)
    assert envelope["success"] is True, envelope
    return envelope["data"]


def test_every_create_error_is_a_soft_error(primary_capture: HarCapture) -> None:
    for request_id in ("create-duplicate", "create-missing-path", "create-not-a-directory", "create-not-a-repo"):
        response = primary_capture.last(f"projects.{request_id}").response
        assert response is not None and response.status == 200
        assert json.loads(response.body)["success"] is False


def test_update_clears_omitted_scripts(primary_capture: HarCapture) -> None:
    updated = _data(primary_capture, "projects.get-updated")
    assert isinstance(updated, dict)
    assert updated["name"] == "Created Repo (renamed)"
    assert [updated[key] for key in ("setup_script", "dev_script", "cleanup_script", "copy_files")] == [None] * 4


def test_branches_carry_the_fixed_commit_dates(primary_capture: HarCapture) -> None:
    branches = _data(primary_capture, "projects.branches")
    assert isinstance(branches, list)
    assert [(b["name"], b["last_commit_date"]) for b in branches] == [
        ("main", "2025-01-02T00:00:00Z"),
        ("newer", "2025-03-01T00:00:00Z"),
        ("feature/base-x", "2025-01-03T00:00:00Z"),
    ]


def test_search_finds_ignored_files(primary_capture: HarCapture) -> None:
    assert _data(primary_capture, "projects.search-ignored-file") == [
        {"path": "build/output.log", "is_file": True, "match_type": "FileName"}
    ]


def test_delete_and_cascade(primary_capture: HarCapture) -> None:
    for request_id in ("projects.get-deleted", "projects.cascade-task-gone", "projects.cascade-template-gone"):
        response = primary_capture.last(request_id).response
        assert response is not None and (response.status, response.body) == (404, b"")
    names = [project["name"] for project in _data(primary_capture, "projects.list-after-delete")]  # type: ignore[attr-defined]
    assert names == ["Agent Project", "Existing Repo"]


def test_existing_repo_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    first = build_existing_repo(tmp_path / "a")
    second = build_existing_repo(tmp_path / "b")
    for branch in ("main", "feature/base-x", "newer"):
        assert git(first, "rev-parse", branch) == git(second, "rev-parse", branch)
