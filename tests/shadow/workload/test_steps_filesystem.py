"""Filesystem family, checked on the recorded answers of the real binary."""

from __future__ import annotations

import json
from typing import Any

from shadow.har import HarCapture


def _envelope(capture: HarCapture, request_id: str) -> dict[str, Any]:
    response = capture.last(request_id).response
    assert response is not None and response.status == 200
    return dict(json.loads(response.body))


def test_listing_hides_dot_entries_and_sorts_dirs_first(primary_capture: HarCapture) -> None:
    data = _envelope(primary_capture, "filesystem.directory")["data"]
    assert [entry["name"] for entry in data["entries"]] == ["alpha", "Beta", "repos", "Apple.md", "zeta.txt"]
    assert data["current_path"] == primary_capture.prefixes["WORK"] + "/fs"


def test_listing_errors_are_soft(primary_capture: HarCapture) -> None:
    for request_id, message in {
        "filesystem.directory-missing": "Directory does not exist",
        "filesystem.directory-file": "Path is not a directory",
        "filesystem.directory-empty-path": "Directory does not exist",
    }.items():
        envelope = _envelope(primary_capture, request_id)
        assert (envelope["success"], envelope["message"]) == (False, message)


def test_git_repos_are_found_below_the_given_path(primary_capture: HarCapture) -> None:
    data = _envelope(primary_capture, "filesystem.git-repos")["data"]
    assert sorted(entry["name"] for entry in data) == ["deeper", "one"]
