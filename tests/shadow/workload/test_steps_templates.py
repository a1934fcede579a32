"""Templates family, checked on the recorded answers of the real binary."""

from __future__ import annotations

import json
from typing import Any

from shadow.har import HarCapture


def _envelope(capture: HarCapture, request_id: str) -> tuple[int, dict[str, Any]]:
    response = capture.last(request_id).response
    assert response is not None
    return response.status, dict(json.loads(response.body)) if response.content_type == "application/json" else {}


def test_list_filters(primary_capture: HarCapture) -> None:
    _, everything = _envelope(primary_capture, "templates.list-all")
    names = [t["template_name"] for t in everything["data"]]
    assert names[:4] == ["Add Unit Tests", "Bug Analysis", "Code Refactoring", "Parity"]  # globals first, by name
    assert "Project Checklist" in names
    assert _envelope(primary_capture, "templates.list-not-global")[1]["data"] == []
    _, project = _envelope(primary_capture, "templates.list-not-global-project")
    assert [t["template_name"] for t in project["data"]] == ["Project Checklist"]
    status, both = _envelope(primary_capture, "templates.list-global-and-project")
    assert status == 500 and "Cannot query both" in both["message"]
    assert _envelope(primary_capture, "templates.list-global-invalid")[0] == 400


def test_duplicates_and_unknown_project_are_database_errors(primary_capture: HarCapture) -> None:
    for request_id, text in {
        "templates.create-duplicate-global": "UNIQUE constraint failed",
        "templates.create-duplicate-project": "UNIQUE constraint failed",
        "templates.create-unknown-project": "FOREIGN KEY constraint failed",
    }.items():
        status, envelope = _envelope(primary_capture, request_id)
        assert status == 500 and text in envelope["message"]


def test_update_and_delete(primary_capture: HarCapture) -> None:
    _, updated = _envelope(primary_capture, "templates.get-updated")
    assert (updated["data"]["title"], updated["data"]["description"]) == ("Project checklist v2", "Now described.")
    assert _envelope(primary_capture, "templates.get-deleted")[0] == 404
