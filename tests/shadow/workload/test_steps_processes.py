"""Processes family: logs as SSE replays, a dev server and a running agent stopped, on the real binary."""

from __future__ import annotations

import json
from typing import Any

from comparators.sse import parse_sse
from shadow.har import HarCapture


def _json(capture: HarCapture, request_id: str) -> dict[str, Any]:
    response = capture.last(request_id).response
    assert response is not None
    return dict(json.loads(response.body))


def _events(capture: HarCapture, request_id: str) -> list[str]:
    response = capture.last(request_id).response
    assert response is not None and response.is_event_stream
    return [event.event for event in parse_sse(response.body)]


def test_finished_processes_replay_their_logs_and_end_with_finished(primary_capture: HarCapture) -> None:
    reasons = [p["run_reason"] for p in _json(primary_capture, "processes.list")["data"]]
    assert reasons == ["setupscript", "codingagent", "cleanupscript", "codingagent", "cleanupscript"]
    for index, reason in enumerate(reasons, start=1):
        raw = _events(primary_capture, f"processes.raw-logs-{index}-{reason}")
        assert raw[-1] == "finished" and set(raw[:-1]) == {"json_patch"}
        normalized = primary_capture.last(f"processes.normalized-logs-{index}-{reason}").response
        assert normalized is not None
        if reason == "codingagent":
            assert (
                normalized.complete
                and _events(primary_capture, f"processes.normalized-logs-{index}-{reason}")[-1] == "finished"
            )
        else:
            assert (normalized.status, normalized.body) == (404, b"")  # finished scripts have no normalized logs


def test_dev_server_is_stopped_and_a_second_stop_fails(primary_capture: HarCapture) -> None:
    killed = _json(primary_capture, "processes.wait-dev-server-killed")["data"]
    assert (killed["run_reason"], killed["status"], killed["exit_code"]) == ("devserver", "killed", None)
    again = _json(primary_capture, "processes.stop-dev-server-again")
    assert again["message"] == "ContainerError: Child process not found for execution"
    running_logs = primary_capture.last("processes.dev-server-normalized-logs-running").response
    assert running_logs is not None and running_logs.status == 200 and not running_logs.complete


def test_running_agent_is_stopped(primary_capture: HarCapture) -> None:
    live = primary_capture.last("processes.slow-agent-normalized-logs-live").response
    assert live is not None and not live.complete and b"user_message" in live.body
    killed = _json(primary_capture, "processes.wait-agent-killed")["data"]
    assert (killed["status"], killed["exit_code"]) == ("killed", None)
    assert _json(primary_capture, "processes.task-after-stop")["data"]["status"] == "inreview"
    assert len(_json(primary_capture, "processes.wait-all-stopped")["data"]) == 7
