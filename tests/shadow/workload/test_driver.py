"""The driver against one fresh real vibe-kanban 0.0.71 (session fixture), and against a broken backend."""

from __future__ import annotations

import http.server
import threading
from collections import Counter
from pathlib import Path

import pytest

from comparators.profiles import load_profile
from shadow.har import HarCapture
from shadow.workload import ALL, HarRecorder, RecordedWorkflow, resolve_families, run_workflow
from tests.loopback import serving

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


def test_a_failed_step_skips_only_its_dependants(tmp_path: Path) -> None:
    with serving(_Broken) as base_url:
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
    with serving(_Broken) as base_url:
        recorder = HarRecorder(backend="candidate", base_url=base_url)
        report = run_workflow(base_url, workdir=tmp_path, recorder=recorder, families={"errors"}, cancel=cancel)
    assert report.cancelled and recorder.entries == []
    assert {step.detail for step in report.steps} == {"cancelled"}


def _tree(root: Path) -> dict[str, object]:
    """Every file outside .git with its bytes, and every repository's refs with their SHAs (``.git``'s own
    bookkeeping, e.g. the index's timestamps, legitimately differs between copies)."""
    from shadow.workload.gitrepo import git

    files: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if ".git" in relative.parts:
            continue
        if (path / ".git").is_dir():
            files[f"{relative}@refs"] = git(path, "for-each-ref", "--format=%(refname) %(objectname)")
            files[f"{relative}@HEAD"] = git(path, "symbolic-ref", "HEAD")
        files[str(relative)] = path.read_bytes() if path.is_file() else "dir"
    return files


def test_local_preparation_is_mirrored_identically(tmp_path: Path) -> None:
    """Every repository and file the steps prepare before calling the API exists, identical down to the
    commit SHAs, in each mirror; the backend (here one that fails everything) only sees the work directory."""
    work, mirror = tmp_path / "work", tmp_path / "mirror"
    with serving(_Broken) as base_url:
        recorder = HarRecorder(backend="primary", base_url=base_url)
        report = run_workflow(
            base_url,
            workdir=work,
            recorder=recorder,
            families={"filesystem", "projects", "attempts"},
            mirror_workdirs=[mirror],
        )
    prepared = {step.name for step in report.steps if step.step == "prepare" and step.status != "skipped"}
    assert prepared == {"filesystem.prepare", "projects.prepare", "attempts.prepare"}
    assert {"repos/existing@refs", "repos/agent@refs", "fs/repos/one@HEAD", "fs/Apple.md"} <= _tree(work).keys()
    assert _tree(work) == _tree(mirror)
    assert "refs/heads/feature/base-x" in str(_tree(mirror)["repos/existing@refs"])
    bodies = (
        b"".join(entry.request.body for entry in recorder.entries)
        + str([entry.request.query for entry in recorder.entries]).encode()
    )
    assert str(work).encode() in bodies and str(mirror).encode() not in bodies


def test_a_mirror_must_be_another_directory(tmp_path: Path) -> None:
    recorder = HarRecorder(backend="primary", base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="must differ"):
        run_workflow("http://127.0.0.1:9", workdir=tmp_path, recorder=recorder, mirror_workdirs=[tmp_path])
