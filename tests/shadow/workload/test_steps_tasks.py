"""Tasks family, checked on the recorded answers of the real binary."""

from __future__ import annotations

import json
from typing import Any

from shadow.har import HarCapture


def _envelope(capture: HarCapture, request_id: str) -> dict[str, Any]:
    response = capture.last(request_id).response
    assert response is not None
    return dict(json.loads(response.body))


def test_create_update_and_unknown_status(primary_capture: HarCapture) -> None:
    assert _envelope(primary_capture, "tasks.create")["data"]["status"] == "todo"
    updated = _envelope(primary_capture, "tasks.get-updated")["data"]
    assert (updated["title"], updated["status"]) == ("Write docs (v2)", "inreview")
    response = primary_capture.last("tasks.update-unknown-status").response
    assert response is not None and response.status == 422


def test_images_are_associated_on_create_and_update(primary_capture: HarCapture) -> None:
    image_id = _envelope(primary_capture, "tasks.upload-image")["data"]["id"]
    assert [i["id"] for i in _envelope(primary_capture, "tasks.images-of-task")["data"]] == [image_id]
    assert [i["id"] for i in _envelope(primary_capture, "tasks.images-after-update")["data"]] == [image_id]


def test_create_and_start_runs_the_scripted_agent_to_inreview(primary_capture: HarCapture) -> None:
    started = _envelope(primary_capture, "tasks.create-and-start")["data"]
    assert started["status"] == "inprogress" and started["has_in_progress_attempt"] is True
    assert started["profile"] == "CLAUDE_CODE"
    assert _envelope(primary_capture, "tasks.wait-started-inreview")["data"]["status"] == "inreview"
    listed = {t["title"]: t for t in _envelope(primary_capture, "tasks.list-after-start")["data"]}
    assert listed["Started at once"]["last_attempt_failed"] is False


def test_delete_removes_the_task(primary_capture: HarCapture) -> None:
    assert _envelope(primary_capture, "tasks.delete")["success"] is True
    response = primary_capture.last("tasks.get-deleted").response
    assert response is not None and response.status == 404
    assert _envelope(primary_capture, "tasks.list-unknown-project")["data"] == []
