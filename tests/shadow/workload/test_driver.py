"""The driver against one fresh real vibe-kanban 0.0.71 (session fixture), and against a broken backend."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from comparators.profiles import load_profile
from shadow.har import HarCapture
from shadow.workload import ALL, HarRecorder, RecordedWorkflow, resolve_families, run_workflow

PROFILE = load_profile()


def test_the_profile_lists_the_58_contract_routes() -> None:
    assert len({route.key for route in PROFILE.routes}) == 58  # CONTRACT.md §3


def test_every_step_runs(recorded_primary: RecordedWorkflow) -> None:
    report = recorded_primary.report
    assert report.problems() == []
    assert report.ok
    assert set(report.families) == ALL
    assert {step.family for step in report.steps} == ALL


def test_every_contract_route_is_exercised_with_a_valid_answer(primary_capture: HarCapture) -> None:
    exercised: Counter[str] = Counter()
    for entry in primary_capture.entries:
        rule = PROFILE.match(entry.request.method, entry.request.path).rule
        if rule is not None and entry.response is not None and entry.response.status != 405:
            exercised[rule.key] += 1
    assert sorted(route.key for route in PROFILE.routes if exercised[route.key] == 0) == []


def test_request_ids_are_unique_except_polls(primary_capture: HarCapture) -> None:
    assert all(entry.request_id for entry in primary_capture.entries)
    counts = Counter(entry.request_id for entry in primary_capture.entries)
    for request_id, count in counts.items():
        if count > 1:
            polls = [entry.poll for entry in primary_capture.with_request_id(str(request_id))]
            assert polls == list(range(1, count + 1)), request_id


def test_prefixes_name_this_run_paths(recorded_primary: RecordedWorkflow, primary_capture: HarCapture) -> None:
    prefixes = primary_capture.prefixes
    assert set(prefixes) == {"WORK", "HOME", "WORKTREES"}
    assert prefixes["WORK"] == str((recorded_primary.har_path.parent / "primary-work").resolve())
    assert prefixes["WORKTREES"] == "/var/tmp/vibe-kanban/worktrees"
    assert Path(prefixes["HOME"]).parent.name.startswith("vk-instance-")
    assert primary_capture.backend == "primary" and primary_capture.base_url == recorded_primary.report.base_url


def test_resolve_families_adds_requirements_in_run_order() -> None:
    assert resolve_families(["processes"]) == ("system", "projects", "tasks", "attempts", "processes")
    assert resolve_families(["errors"]) == ("errors",)
    assert resolve_families(ALL) == tuple(name for name in resolve_families(ALL))
    with pytest.raises(ValueError, match="unknown workload families: nope"):
        resolve_families(["nope"])


class _Broken(http.server.BaseHTTPRequestHandler):
    """A backend that implements nothing: every request gets an empty 500 (a candidate on day one)."""

    protocol_version = "HTTP/1.1"

    def _fail(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.rfile.read(length)
        self.send_response(500)
        self.send_header("content-length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = _fail

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _broken_backend() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_failed_step_skips_only_its_dependants(tmp_path: Path) -> None:
    with _broken_backend() as base_url:
        recorder = HarRecorder(backend="candidate", base_url=base_url)
        report = run_workflow(base_url, workdir=tmp_path / "work", recorder=recorder, families={"projects"})
    outcome = {step.step: step for step in report.steps}
    assert report.families == ("projects",)
    assert outcome["prepare"].status == "ok"  # local git work, no backend needed
    assert outcome["create-existing"].status == "failed"
    assert "HTTP 500" in str(outcome["create-existing"].detail)
    assert outcome["create-errors"].status == "ok"  # sends its error cases whatever the answers
    for dependant in ("read", "branches", "search", "open-editor", "update", "delete", "delete-cascade"):
        assert outcome[dependant].status == "skipped", dependant
        assert str(outcome[dependant].detail).startswith("needs project.")
    assert not report.ok and report.problems()
    ids = {entry.request_id for entry in recorder.entries}
    assert ids and all(str(request_id).startswith("projects.") for request_id in ids)
    assert report.requests == len(recorder.entries)


def test_cancel_skips_everything_left(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with _broken_backend() as base_url:
        recorder = HarRecorder(backend="candidate", base_url=base_url)
        report = run_workflow(base_url, workdir=tmp_path, recorder=recorder, families={"errors"}, cancel=cancel)
    assert report.cancelled and recorder.entries == []
    assert {step.detail for step in report.steps} == {"cancelled"}
