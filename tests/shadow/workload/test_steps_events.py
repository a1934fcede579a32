"""Events family: the late subscriber reads the whole history in its window."""

from __future__ import annotations

import json

from comparators.sse import parse_sse
from shadow.har import HarCapture


def test_history_replays_every_entity_change_from_entry_one(primary_capture: HarCapture) -> None:
    entry = primary_capture.last("events.history")
    assert entry is primary_capture.entries[-1]  # subscribed last
    response = entry.response
    assert response is not None and response.is_event_stream and not response.complete  # the feed never ends
    patches = [json.loads(event.data) for event in parse_sse(response.body) if event.event == "json_patch"]
    assert patches and patches[0][0]["path"] == "/entries/1"
    types = {patch[0]["value"]["record"]["type"] for patch in patches}
    assert {"TASK", "TASK_ATTEMPT", "EXECUTION_PROCESS"} <= types
