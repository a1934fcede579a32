"""Offline comparison of two HAR captures: pairing, verdicts, summary, bad input, rendering."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from comparators.alignment import Side
from comparators.message import HttpRequest, HttpResponse
from comparators.profiles import load_profile
from comparators.result import DiffKind, VerdictKind
from shadow.har import HarCapture, HarEntry, write_har
from shadow.offline import (
    OfflineInputError,
    compare_captures,
    compare_files,
    learn_noise,
    load_noise,
    render_comparison,
)

PROFILE = load_profile()
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def _envelope(data: object) -> bytes:
    return json.dumps({"success": True, "data": data, "error_data": None, "message": None}).encode()


def _entry(
    request_id: str | None,
    method: str,
    path: str,
    *,
    status: int = 200,
    body: bytes | None = None,
    request_body: bytes = b"",
    poll: int | None = None,
    answered: bool = True,
) -> HarEntry:
    headers = (("content-type", "application/json"),) if body else ()
    return HarEntry(
        started_at=WHEN,
        time_ms=1.0,
        url=f"http://127.0.0.1:1{path}",
        request=HttpRequest(method=method, path=path, body=request_body),
        response=HttpResponse(status=status, headers=headers, body=body or b"") if answered else None,
        request_id=request_id,
        poll=poll,
        error=None if answered else "ConnectError: refused",
    )


def _project(project_id: str, work: str) -> dict[str, object]:
    return {
        "id": project_id,
        "name": "Existing Repo",
        "git_repo_path": f"{work}/repos/existing",
        "setup_script": None,
        "dev_script": None,
        "cleanup_script": None,
        "copy_files": None,
        "created_at": "2026-01-01T00:00:00.123Z",
        "updated_at": "2026-01-01T00:00:00.123Z",
    }


def _capture(project_id: str, work: str, *, status_after: str = "inreview", polls: int = 2) -> HarCapture:
    project = _project(project_id, work)
    task = {"id": "7" * 8 + project_id[8:], "project_id": project_id, "title": "T", "status": "todo"}
    entries = [
        _entry("system.health", "GET", "/api/health", body=_envelope("OK")),
        _entry(
            "projects.create",
            "POST",
            "/api/projects",
            body=_envelope(project),
            request_body=json.dumps({"git_repo_path": f"{work}/repos/existing"}).encode(),
        ),
        _entry("projects.get", "GET", f"/api/projects/{project_id}", body=_envelope(project)),
    ]
    for poll in range(1, polls + 1):
        state = {**task, "status": status_after if poll == polls else "inprogress"}
        entries.append(_entry("tasks.wait", "GET", f"/api/tasks/{task['id']}", body=_envelope(state), poll=poll))
    entries.append(
        _entry("errors.unknown-project", "GET", "/api/projects/00000000-0000-4000-8000-00000000dead", status=404)
    )
    return HarCapture(entries=tuple(entries), backend="x", prefixes={"WORK": work})


PRIMARY = _capture("6a5a406b-1965-4aaa-9b48-6afe0ac64423", "/tmp/work-a")
CANDIDATE = _capture("11111111-2222-4333-8444-555555555555", "/srv/work-b", polls=4)


def test_two_backends_with_their_own_ids_and_paths_are_at_parity() -> None:
    result = compare_captures(PRIMARY, CANDIDATE, profile=PROFILE)
    assert [pair.verdict.kind for pair in result.pairs] == [VerdictKind.MATCH] * 5
    assert result.summary.parity_percent == 100.0 and result.not_at_parity() == []
    assert result.summary.poll_repeats == {"primary": 1, "candidate": 3}
    assert result.summary.unpaired == {"primary": 0, "candidate": 0}
    wait = next(pair for pair in result.pairs if pair.request_id == "tasks.wait")
    assert (wait.primary_index, wait.candidate_index) == (4, 6)  # the last poll on each side


def test_a_changed_value_is_a_mismatch_at_its_path() -> None:
    changed = _capture("11111111-2222-4333-8444-555555555555", "/srv/work-b", status_after="done")
    result = compare_captures(PRIMARY, changed, profile=PROFILE)
    (bad,) = result.not_at_parity()
    assert bad.request_id == "tasks.wait" and bad.verdict.kind is VerdictKind.MISMATCH
    assert [(d.path, d.kind) for d in bad.verdict.diffs] == [("/body/data/status", DiffKind.VALUE)]
    (signature,) = result.summary.signatures
    assert signature.signature == bad.verdict.signature and signature.route == "/api/tasks/{task_id}"
    group = next(g for g in result.summary.groups if g.group == bad.verdict.group)
    assert group.parity_percent == 0.0


def test_unanswered_and_one_sided_exchanges() -> None:
    candidate = CANDIDATE.model_copy(
        update={
            "entries": (
                *CANDIDATE.entries[:2],
                CANDIDATE.entries[2].model_copy(update={"response": None, "error": "ReadTimeout: timed out"}),
                *CANDIDATE.entries[3:],
                _entry("extra.only-here", "GET", "/api/info", body=_envelope({})),
            )
        }
    )
    primary = PRIMARY.model_copy(
        update={"entries": (_entry("x.down", "GET", "/api/info", answered=False), *PRIMARY.entries)}
    )
    result = compare_captures(primary, candidate, profile=PROFILE)
    error = next(pair for pair in result.pairs if pair.request_id == "projects.get")
    assert error.verdict.kind is VerdictKind.CANDIDATE_ERROR and "timed out" in str(error.verdict.reason)
    sides = {(u.side, u.request_id) for u in result.unpaired}
    assert sides == {(Side.CANDIDATE, "extra.only-here"), (Side.PRIMARY, "x.down")}
    assert result.summary.unpaired == {"primary": 1, "candidate": 1}
    assert result.summary.verdicts["candidate_error"] == 1


def test_captures_without_request_ids_pair_by_order() -> None:
    strip = {"request_id": None, "poll": None}
    primary = PRIMARY.model_copy(update={"entries": tuple(e.model_copy(update=strip) for e in PRIMARY.entries)})
    candidate = CANDIDATE.model_copy(update={"entries": tuple(e.model_copy(update=strip) for e in CANDIDATE.entries)})
    result = compare_captures(primary, candidate, profile=PROFILE)
    assert len(result.pairs) == 5 and result.summary.parity_percent == 100.0
    assert result.summary.poll_repeats == {"primary": 1, "candidate": 3}


def test_files_and_bad_input(tmp_path: Path) -> None:
    primary, candidate = write_har(tmp_path / "a.har", PRIMARY), write_har(tmp_path / "b.har", CANDIDATE)
    assert compare_files(primary, candidate).summary.compared == 5
    (tmp_path / "not-har.json").write_text('{"hello": 1}')
    (tmp_path / "garbage.har").write_bytes(b"\x00\xffnope")
    for bad in ("missing.har", "not-har.json", "garbage.har"):
        with pytest.raises(OfflineInputError) as caught:
            compare_files(primary, tmp_path / bad)
        assert bad in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(OfflineInputError, match="no-such-profile"):
        compare_files(primary, candidate, profile="no-such-profile")


def test_rendering_shows_groups_signatures_and_unpaired() -> None:
    changed = _capture("11111111-2222-4333-8444-555555555555", "/srv/work-b", status_after="done")
    out = io.StringIO()
    render_comparison(compare_captures(PRIMARY, changed, profile=PROFILE), Console(file=out, width=160))
    text = out.getvalue()
    assert "Parity per route group" in text and "Top mismatch signatures (1 distinct)" in text
    assert "/body/data/status value: 'inreview' -> 'done'" in text
    assert "Unpaired: primary 0, candidate 0; poll repeats (not compared): primary 1, candidate 1" in text


# --------------------------------------------------------------------------------------------- learned noise


def _with_name(capture: HarCapture, name: str) -> HarCapture:
    """The same recording with the project's name changed: a field two runs of one system disagree on."""
    entries = []
    for entry in capture.entries:
        body = entry.response.body if entry.response else b""
        if b'"Existing Repo"' in body and entry.response is not None:
            body = body.replace(b'"Existing Repo"', json.dumps(name).encode())
            entry = entry.model_copy(update={"response": entry.response.model_copy(update={"body": body})})
        entries.append(entry)
    return capture.model_copy(update={"entries": tuple(entries)})


def test_noise_learned_from_self_comparisons_explains_only_what_it_saw(tmp_path: Path) -> None:
    files = []
    for run in range(3):  # three self-comparisons (two runs of the primary each), the name differing every time
        files.append(write_har(tmp_path / f"a{run}.har", _with_name(PRIMARY, f"run {run}")))
        files.append(write_har(tmp_path / f"b{run}.har", _with_name(PRIMARY, f"other {run}")))
    model = learn_noise(list(zip(files[0::2], files[1::2], strict=True)), min_observations=3)
    assert {(route, path) for route, path, _, _ in model.volatile()} == {
        ("POST /api/projects", "/body/data/name"),
        ("GET /api/projects/{id}", "/body/data/name"),
    }
    primary = write_har(tmp_path / "primary.har", PRIMARY)
    renamed = write_har(tmp_path / "renamed.har", _with_name(CANDIDATE, "renamed"))
    without = compare_files(primary, renamed)
    with_noise = compare_files(primary, renamed, noise=model)
    assert without.summary.verdicts.get("mismatch") == 2 and without.summary.verdicts.get("noise", 0) == 0
    assert with_noise.summary.verdicts.get("noise") == 2 and not with_noise.not_at_parity()
    explained = next(pair for pair in with_noise.pairs if pair.verdict.kind is VerdictKind.NOISE).verdict.explained
    assert explained[0].note == "noise: differed in 100% of 3 self-comparisons"
    # A structural difference on the same route is never noise, however volatile the field was.
    dropped = CANDIDATE.model_copy(update={"entries": tuple(_drop_name(entry) for entry in CANDIDATE.entries)})
    structural = compare_files(primary, write_har(tmp_path / "dropped.har", dropped), noise=model)
    assert structural.summary.verdicts.get("mismatch") == 2


def _drop_name(entry: HarEntry) -> HarEntry:
    if entry.response is None or b'"Existing Repo"' not in entry.response.body:
        return entry
    envelope = json.loads(entry.response.body)
    del envelope["data"]["name"]
    return entry.model_copy(
        update={"response": entry.response.model_copy(update={"body": json.dumps(envelope).encode()})}
    )


def test_learning_and_loading_noise_refuse_bad_input_with_one_line(tmp_path: Path) -> None:
    good = write_har(tmp_path / "a.har", PRIMARY)
    (tmp_path / "garbage.har").write_bytes(b"\x00nope")
    (tmp_path / "noise.json").write_text('{"threshold": 7}')
    failures = [
        lambda: learn_noise([(good, tmp_path / "garbage.har")]),
        lambda: learn_noise([(good, good)], threshold=0),
        lambda: learn_noise([(good, good)], profile="no-such-profile"),
        lambda: load_noise(tmp_path / "missing.json"),
        lambda: load_noise(tmp_path / "noise.json"),
    ]
    for failure in failures:
        with pytest.raises(OfflineInputError) as caught:
            failure()
        assert "\n" not in str(caught.value)
    with pytest.raises(OfflineInputError, match="threshold"):
        load_noise(tmp_path / "noise.json")
