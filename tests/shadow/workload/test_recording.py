from __future__ import annotations

from shadow.workload import RecordedWorkflow


def test_recording_writes_the_har_next_to_the_work_directory(recorded_primary: RecordedWorkflow) -> None:
    assert recorded_primary.har_path.name == "primary.har"
    assert (recorded_primary.har_path.parent / "primary-work" / "repos" / "existing" / ".git").is_dir()
    capture = recorded_primary.capture()
    assert len(capture.entries) == recorded_primary.report.requests
