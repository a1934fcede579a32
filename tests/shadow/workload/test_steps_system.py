"""System family, checked on the recorded answers of the real binary."""

from __future__ import annotations

import json
from typing import Any

from shadow.har import HarCapture
from shadow.workload.steps_system import FAKE_GITHUB_TOKEN


def _json(capture: HarCapture, request_id: str) -> dict[str, Any]:
    response = capture.last(request_id).response
    assert response is not None
    return dict(json.loads(response.body))


def test_agent_is_installed_through_profiles_and_recorded(primary_capture: HarCapture) -> None:
    get, put = primary_capture.last("system.install-agent.1"), primary_capture.last("system.install-agent.2")
    assert (get.request.method, put.request.method) == ("GET", "PUT")
    document = json.loads(put.request.body)
    assert document["executors"]["CLAUDE_CODE"]["FAKE"]["CLAUDE_CODE"]["base_command_override"]
    assert _json(primary_capture, "system.install-agent.2")["success"] is True


def test_config_runs_the_scripted_agent_and_rejects_partial_documents(primary_capture: HarCapture) -> None:
    saved = _json(primary_capture, "system.config")["data"]
    assert saved["executor_profile"] == {"executor": "CLAUDE_CODE", "variant": "FAKE"}
    missing = primary_capture.last("system.config-missing-field").response
    assert missing is not None and missing.status == 422 and b"missing field `theme`" in missing.body


def test_home_prefix_comes_from_the_profiles_path(primary_capture: HarCapture) -> None:
    path = _json(primary_capture, "system.profiles")["data"]["path"]
    assert path == primary_capture.prefixes["HOME"] + "/.local/share/vibe-kanban/profiles.json"


def test_sound_is_binary_and_unknown_sound_is_a_400(primary_capture: HarCapture) -> None:
    sound = primary_capture.last("system.sound").response
    assert sound is not None and sound.content_type == "audio/wav" and sound.body.startswith(b"RIFF")
    unknown = primary_capture.last("system.sound-unknown").response
    assert unknown is not None and unknown.status == 400


def test_mcp_config_round_trip_and_unknown_profile(primary_capture: HarCapture) -> None:
    after = _json(primary_capture, "system.mcp-config-after")["data"]
    assert after["mcp_config"]["servers"]["parity"] == {"args": ["--parity"], "command": "true"}
    assert _json(primary_capture, "system.mcp-config-unknown")["message"].startswith("ConfigError:")


def test_github_token_is_set_last(primary_capture: HarCapture) -> None:
    ids = [entry.request_id for entry in primary_capture.entries]
    assert ids.index("system.config-github-token") > ids.index("attempts.pr-without-token")
    body = json.loads(primary_capture.last("system.config-github-token").request.body)
    assert body["github"]["pat"] == FAKE_GITHUB_TOKEN
    assert _json(primary_capture, "system.github-check")["data"] == "INVALID"
