"""Attempts family: the whole chain on the real binary with the scripted agent."""

from __future__ import annotations

import json
from typing import Any

from shadow.har import HarCapture


def _json(capture: HarCapture, request_id: str) -> tuple[int, dict[str, Any]]:
    response = capture.last(request_id).response
    assert response is not None
    return response.status, dict(json.loads(response.body)) if response.content_type == "application/json" else {}


def test_chain_runs_setup_agent_cleanup_and_reaches_inreview(primary_capture: HarCapture) -> None:
    assert _json(primary_capture, "attempts.wait-inreview")[1]["data"]["status"] == "inreview"
    processes = _json(primary_capture, "attempts.wait-chain-processes")[1]["data"]
    assert [(p["run_reason"], p["status"], p["exit_code"]) for p in processes] == [
        ("setupscript", "completed", 0),
        ("codingagent", "completed", 0),
        ("cleanupscript", "completed", 0),
    ]
    attempt = _json(primary_capture, "attempts.get")[1]["data"]
    assert attempt["container_ref"].startswith(primary_capture.prefixes["WORKTREES"] + "/vk-")
    assert attempt["branch"].endswith("-add-hello")
    info = _json(primary_capture, "attempts.containers-info")[1]["data"]
    assert info["attempt_id"] == attempt["id"]


def test_follow_up_passes_the_variant_and_commits_again(primary_capture: HarCapture) -> None:
    body = json.loads(primary_capture.last("attempts.follow-up").request.body)
    assert body["variant"] == "FAKE"
    process = _json(primary_capture, "attempts.follow-up")[1]["data"]
    assert process["executor_action"]["typ"]["type"] == "CodingAgentFollowUpRequest"
    assert process["executor_action"]["typ"]["executor_profile_id"] == {"executor": "CLAUDE_CODE", "variant": "FAKE"}
    settled = _json(primary_capture, "attempts.wait-follow-up")[1]["data"]
    assert [p["status"] for p in settled] == ["completed"] * 5
    status = _json(primary_capture, "attempts.branch-status-after-follow-up")[1]["data"]
    assert status["commits_ahead"] == 5  # agent, cleanup, agent, cleanup, empty "Delete file" commit


def test_git_operations_have_their_documented_shapes(primary_capture: HarCapture) -> None:
    assert _json(primary_capture, "attempts.delete-file-missing") == (
        200,
        {"success": True, "data": None, "error_data": None, "message": None},
    )
    assert _json(primary_capture, "attempts.rebase")[0] == 200
    status, push = _json(primary_capture, "attempts.push-without-token")
    assert status == 500 and push["message"].startswith("GitHubServiceError:")
    assert _json(primary_capture, "attempts.pr-without-token") == (
        200,
        {"success": False, "data": None, "error_data": "TOKEN_INVALID", "message": None},
    )
    assert _json(primary_capture, "attempts.pr-missing-title")[0] == 422


def test_live_diff_is_cut_by_its_window(primary_capture: HarCapture) -> None:
    diff = primary_capture.last("attempts.diff-live").response
    assert diff is not None and diff.is_event_stream and not diff.complete
    assert b'"/entries/hello.txt"' in diff.body


def test_merge_reaches_done_and_the_merged_diff_finishes(primary_capture: HarCapture) -> None:
    assert _json(primary_capture, "attempts.merge")[1]["success"] is True
    assert _json(primary_capture, "attempts.task-after-merge")[1]["data"]["status"] == "done"
    merges = _json(primary_capture, "attempts.branch-status-after-merge")[1]["data"]["merges"]
    assert [merge["type"] for merge in merges] == ["direct"]
    diff = primary_capture.last("attempts.diff-after-merge").response
    assert diff is not None and diff.complete and diff.body.endswith(b"event: finished\ndata: \n\n")


def test_failing_agent_finalizes_to_inreview_with_last_attempt_failed(primary_capture: HarCapture) -> None:
    process = _json(primary_capture, "attempts.wait-failing-process")[1]["data"][0]
    assert (process["status"], process["exit_code"]) == ("failed", 3)
    listed = {t["title"]: t for t in _json(primary_capture, "attempts.failing-task-list")[1]["data"]}
    assert listed["Failing agent"]["status"] == "inreview" and listed["Failing agent"]["last_attempt_failed"]
    assert b"something went wrong" in (primary_capture.last("attempts.failing-raw-logs").response or _no()).body


def test_children_and_creation_errors(primary_capture: HarCapture) -> None:
    assert [t["title"] for t in _json(primary_capture, "attempts.children")[1]["data"]] == ["Child task"]
    for request_id, prefix in {
        "attempts.create-unknown-executor": "TaskAttemptError: Validation error: Executor profile not found",
        "attempts.create-unknown-branch": "ContainerError: Branch not found: no-such-branch",
        "attempts.create-unknown-task": "TaskAttemptError: error returned from database",
    }.items():
        status, envelope = _json(primary_capture, request_id)
        assert status == 500 and envelope["message"].startswith(prefix)


def _no() -> Any:
    raise AssertionError("no response recorded")
