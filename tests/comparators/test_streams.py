from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comparators.compare import compare_exchange
from comparators.event_feed import read_feed
from comparators.feed_compare import RACE
from comparators.json_diff import diff_json
from comparators.message import HttpRequest, HttpResponse
from comparators.patches import final_state, ordered_entries
from comparators.profiles import load_profile
from comparators.result import STRUCTURAL_KINDS, Diff, DiffKind
from comparators.sse import SseEvent, format_sse, parse_sse
from comparators.streams import STREAM_KINDS, compare_stream
from shadow.reference.agent import attempt_body
from shadow.reference.instance import Instance
from tests.factories import tmask


def identity(value: Any) -> Any:
    return value


def stream(*ops: dict[str, Any], finished: bool = False) -> bytes:
    events = [SseEvent(event="json_patch", data=json.dumps([op])) for op in ops]
    if finished:
        events.append(SseEvent(event="finished", data=""))
    return format_sse(events)


def add(token: str | int, value: Any, op: str = "add") -> dict[str, Any]:
    return {"op": op, "path": f"/entries/{token}", "value": value}


def log(kind: str, content: str) -> dict[str, Any]:
    return {"type": kind, "content": content}


def compare(
    kind: str,
    primary: bytes,
    candidate: bytes,
    *,
    complete: tuple[bool, bool] = (True, True),
    params: dict[str, Any] | None = None,
    normalize: Any = identity,
) -> list[Diff]:
    return compare_stream(
        kind,
        params or {},
        primary,
        candidate,
        primary_complete=complete[0],
        candidate_complete=complete[1],
        normalize=normalize,
        diff=diff_json,
    )


def race(diff: Diff) -> bool:
    return bool(diff.note and diff.note.startswith(RACE))


# --- raw logs ---------------------------------------------------------------------------------------

AGENT_STDOUT = "".join(f'{{"type": "line", "n": {n}}}\n' for n in range(7))


def test_raw_logs_compare_the_concatenation_not_the_chunks() -> None:
    # NOISE §2: the fake agent's raw logs came as 7 entries on one instance and 2 on the other.
    seven = stream(
        *(add(i, log("STDOUT", line)) for i, line in enumerate(AGENT_STDOUT.splitlines(True))), finished=True
    )
    two = stream(add(0, log("STDOUT", AGENT_STDOUT[:40])), add(1, log("STDOUT", AGENT_STDOUT[40:])), finished=True)
    assert compare("raw_logs", seven, two) == []


def test_raw_logs_missing_and_changed_lines() -> None:
    lines = AGENT_STDOUT.splitlines(True)
    primary = stream(add(0, log("STDERR", "warn\n")), add(1, log("STDOUT", AGENT_STDOUT)), finished=True)
    candidate = stream(
        add(0, log("STDOUT", "".join(lines[:3] + lines[4:]))), add(1, log("STDERR", "warm\n")), finished=True
    )
    diffs = compare("raw_logs", primary, candidate)
    assert [(d.path, d.kind, d.primary) for d in diffs] == [
        ("/stream/logs/STDOUT/3", DiffKind.EVENT_MISSING, lines[3]),
        ("/stream/logs/STDERR/0", DiffKind.VALUE, "warn\n"),
    ]


def test_raw_logs_of_a_cut_off_side_compare_what_it_had_time_to_read() -> None:
    full = stream(add(0, log("STDOUT", AGENT_STDOUT)), finished=True)
    cut = stream(add(0, log("STDOUT", AGENT_STDOUT[:50])))
    assert compare("raw_logs", full, cut, complete=(True, False)) == []
    wrong = stream(add(0, log("STDOUT", "different\n")))
    assert compare("raw_logs", full, wrong, complete=(True, False)) != []


def test_finished_live_form_against_replay_form_is_a_race() -> None:
    body = add(0, log("STDOUT", "x\n"))
    diffs = compare("raw_logs", stream(body, finished=True), stream(body))
    assert [(d.path, d.kind, race(d)) for d in diffs] == [("/stream/finished", DiffKind.EVENT_MISSING, True)]
    assert compare("raw_logs", stream(body, finished=True), stream(body), complete=(True, False)) == []


# --- normalized logs --------------------------------------------------------------------------------


def entry(entry_type: str, content: str) -> dict[str, Any]:
    return {
        "type": "NORMALIZED_ENTRY",
        "content": {"entry_type": {"type": entry_type}, "content": content, "metadata": None},
    }


def test_normalized_logs_compare_the_final_entries() -> None:
    # NOISE §2: the error_message grows through a timing-dependent number of replace ops (5 vs 4 patches).
    primary = stream(
        add(0, entry("user_message", "prompt")),
        add(1, entry("error_message", "a\n")),
        add(1, entry("error_message", "a\nb\n"), "replace"),
        add(1, entry("error_message", "a\nb\nc\n"), "replace"),
        add(2, entry("assistant_message", "done")),
        finished=True,
    )
    candidate = stream(
        add(0, entry("user_message", "prompt")),
        add(1, entry("error_message", "a\nb\n")),
        add(1, entry("error_message", "a\nb\nc\n"), "replace"),
        add(2, entry("assistant_message", "done")),
        finished=True,
    )
    assert compare("normalized_logs", primary, candidate) == []


def test_normalized_logs_missing_changed_and_moved_entries() -> None:
    user, err, tool, said = (
        entry("user_message", "p"),
        entry("error_message", "oops\n"),
        entry("tool_use", "`hello.txt`"),
        entry("assistant_message", "done"),
    )
    primary = stream(*(add(i, e) for i, e in enumerate([user, err, tool, said])), finished=True)
    # stderr landed after the tool call on the candidate (two pipes): a race, not a finding.
    moved = stream(*(add(i, e) for i, e in enumerate([user, tool, err, said])), finished=True)
    diffs = compare("normalized_logs", primary, moved)
    assert [(d.path, d.kind, race(d)) for d in diffs] == [("/stream/entries", DiffKind.ORDER, True)]
    missing = stream(*(add(i, e) for i, e in enumerate([user, err, said])), finished=True)
    assert [(d.path, d.kind) for d in compare("normalized_logs", primary, missing)] == [
        ("/stream/entries/2", DiffKind.EVENT_MISSING)
    ]
    changed = stream(
        *(add(i, e) for i, e in enumerate([user, err, tool, entry("assistant_message", "Done")])), finished=True
    )
    assert [(d.path, d.kind) for d in compare("normalized_logs", primary, changed)] == [
        ("/stream/entries/3/content/content", DiffKind.VALUE)
    ]
    tool_moved = stream(*(add(i, e) for i, e in enumerate([user, err, said, tool])), finished=True)
    diffs = compare("normalized_logs", primary, tool_moved)
    assert [(d.kind, race(d)) for d in diffs] == [(DiffKind.ORDER, False)]


# --- diff -------------------------------------------------------------------------------------------


def file_diff(path: str, new: str) -> dict[str, Any]:
    return {
        "type": "DIFF",
        "content": {"change": "added", "oldPath": None, "newPath": path, "oldContent": None, "newContent": new},
    }


def test_diff_feedback_loop_reaches_the_same_state() -> None:
    # CONTRACT-CORRECTIONS 32: cycles of re-adds and removes of keys never added (.git, dirs, unchanged files).
    snapshot = [add("hello.txt", file_diff("hello.txt", "hi\n")), add("a~1b.txt", file_diff("a/b.txt", "x\n"))]
    loop = [
        op
        for _ in range(100)
        for op in (
            *snapshot,
            {"op": "remove", "path": "/entries/.git"},
            {"op": "remove", "path": "/entries/a"},
            {"op": "remove", "path": "/entries/base.txt"},
        )
    ]
    assert compare("diff", stream(*snapshot, *loop), stream(*snapshot), complete=(False, False)) == []
    diffs = compare("diff", stream(*snapshot), stream(snapshot[0]), complete=(False, False))
    assert [(d.path, d.kind) for d in diffs] == [("/stream/files/a~1b.txt", DiffKind.EVENT_MISSING)]
    diffs = compare(
        "diff",
        stream(*snapshot),
        stream(snapshot[0], add("a~1b.txt", file_diff("a/b.txt", "y\n"))),
        complete=(False, False),
    )
    assert [(d.path, d.kind) for d in diffs] == [("/stream/files/a~1b.txt/content/newContent", DiffKind.VALUE)]


def test_merged_diff_finished_is_not_a_race() -> None:
    snapshot = add("hello.txt", file_diff("hello.txt", "hi\n"))
    diffs = compare("diff", stream(snapshot, finished=True), stream(snapshot))
    assert [(d.kind, d.note) for d in diffs] == [(DiffKind.EVENT_MISSING, None)]


# --- generic, malformed, bad input --------------------------------------------------------------------


def test_generic_json_patch_compares_the_final_state() -> None:
    primary = stream({"op": "add", "path": "/entries/x", "value": {"n": 1}}, finished=True)
    candidate = stream({"op": "add", "path": "/entries/x", "value": {"n": 2}}, finished=True)
    diffs = compare("json_patch", primary, candidate)
    assert [(d.path, d.kind) for d in diffs] == [("/stream/state/entries/x/n", DiffKind.VALUE)]


def test_malformed_candidate_stream_is_reported_and_the_rest_compared() -> None:
    good = add(0, log("STDOUT", "x\n"))
    candidate = (
        format_sse(
            [SseEvent(event="json_patch", data="[{not json"), SseEvent(event="json_patch", data=json.dumps([good]))]
        )
        + b"event: finished\ndata: "
    )
    diffs = compare("raw_logs", stream(good), candidate)
    assert [(d.path, d.kind, d.candidate) for d in diffs] == [
        ("/stream/events/0", DiffKind.STREAM_STATE, "[{not json"),
        ("/stream/events/2", DiffKind.STREAM_STATE, ""),
    ]
    assert diffs[0].note and diffs[0].note.startswith("malformed candidate stream: json_patch data is not JSON")
    assert diffs[1].note == "malformed candidate stream: stream ended inside an event"


def test_unknown_stream_kind_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown stream kind 'websocket'"):
        compare("websocket", b"", b"")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"key": ["title"]}, "params\\['key'\\] must map a record type to a list of field names"),
        ({"key": {"TASK": "title"}}, "params\\['key'\\] must map"),
        ({"transitions": {"TASK": ["status"]}}, "params\\['transitions'\\] must map a record type to a field name"),
    ],
)
def test_bad_events_params_are_a_clear_error(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compare("events", b"", b"", params=params)


def test_events_params_override_the_default_keys_per_type() -> None:
    def feed(side: str, titles: list[str]) -> bytes:
        ops = [
            add(n, {"db_op": "insert", "record": {"type": "TASK", "data": {"id": f"{side}{n}", "title": t}}})
            for n, t in enumerate(titles)
        ]
        return stream(*ops)

    primary, candidate = feed("p", ["a", "b"]), feed("c", ["b", "a"])
    assert compare("events", primary, candidate) == []  # matched by title (the default key)
    by_order = compare("events", primary, candidate, params={"key": {"TASK": []}})
    assert [d.path for d in by_order] == ["/stream/entities/TASK/0/data/title", "/stream/entities/TASK/1/data/title"]


def test_races_are_never_structural() -> None:
    body = add(0, log("STDOUT", "x\n"))
    diffs = compare("raw_logs", stream(body, finished=True), stream(body))
    assert diffs and all(race(d) and d.kind not in STRUCTURAL_KINDS for d in diffs)


# --- compare(x, x) == [] for generated streams ----------------------------------------------------------

_text = st.text(max_size=12)
_value = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)
_log_ops = st.lists(st.builds(log, st.sampled_from(["STDOUT", "STDERR"]), _text), max_size=8).map(
    lambda logs: [add(i, value) for i, value in enumerate(logs)]
)
_entry_ops = st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["add", "replace"]), _value), max_size=10).map(
    lambda items: [add(i, value, op) for i, op, value in items]
)
_diff_ops = st.lists(st.tuples(st.sampled_from(["a.txt", "b/c.txt", "~x"]), st.booleans(), _text), max_size=10).map(
    lambda items: [
        add(path.replace("~", "~0").replace("/", "~1"), file_diff(path, text))
        if keep
        else {"op": "remove", "path": f"/entries/{path}"}
        for path, keep, text in items
    ]
)


def _feed_op(item: tuple[str, str, int, str]) -> dict[str, Any]:
    db_op, record_type, n, status = item
    if record_type.startswith("DELETED_"):
        data: dict[str, Any] = {"rowid": n}
    else:
        data = {"id": f"id-{n}", "title": f"t{n % 2}", "task_id": "id-0", "status": status}
    return add(0, {"db_op": db_op, "record": {"type": record_type, "data": data}})


_feed_ops = st.lists(
    st.tuples(
        st.sampled_from(["insert", "update", "delete"]),
        st.sampled_from(["TASK", "TASK_ATTEMPT", "EXECUTION_PROCESS", "DELETED_TASK"]),
        st.integers(0, 4),
        st.sampled_from(["todo", "inprogress", "done"]),
    ),
    max_size=15,
).map(lambda items: [_feed_op(item) for item in items])


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_stream_compared_with_itself_has_no_diffs(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(sorted(STREAM_KINDS)))
    ops = data.draw(
        {
            "raw_logs": _log_ops,
            "normalized_logs": _entry_ops,
            "diff": _diff_ops,
            "events": _feed_ops,
            "json_patch": _entry_ops,
        }[kind]
    )
    raw = stream(*ops, finished=data.draw(st.booleans()))
    complete = data.draw(st.booleans())
    assert compare(kind, raw, raw, complete=(complete, complete)) == []


def test_masking_normalizer_is_applied_to_every_kind() -> None:
    masked = stream(add(0, log("STDOUT", "cwd /var/tmp/vibe-kanban/worktrees/vk-1a2b-x\n")), finished=True)
    other = stream(add(0, log("STDOUT", "cwd /var/tmp/vibe-kanban/worktrees/vk-9f9f-x\n")), finished=True)
    assert compare("raw_logs", masked, other) != []
    assert compare("raw_logs", masked, other, normalize=tmask) == []


# --- real data: two real primaries running the same workflow -------------------------------------------


@dataclass(frozen=True)
class Capture:
    status: int
    body: bytes
    complete: bool  # the server ended the stream (False: our read window closed first)


@dataclass(frozen=True)
class Workflow:
    events: Capture
    raw_logs: Capture
    normalized_logs: Capture
    diff: Capture


def read_stream(client: httpx.Client, path: str, *, idle: float = 1.0, window: float = 3.0) -> Capture:
    """Read an SSE response until the server ends it, nothing arrives for ``idle`` s, or ``window`` s pass."""
    body = b""
    deadline = time.monotonic() + window
    timeout = httpx.Timeout(10.0, read=idle)
    with client.stream("GET", path, timeout=timeout) as response:
        try:
            for chunk in response.iter_raw():
                body += chunk
                if time.monotonic() > deadline:
                    return Capture(response.status_code, body, False)
        except httpx.ReadTimeout:
            return Capture(response.status_code, body, False)
    return Capture(response.status_code, body, True)


def read_settled(client: httpx.Client, path: str, marker: bytes, *, within: float = 15.0) -> Capture:
    """A finished process's log replay, read until it holds ``marker`` (the agent's last output) and two reads
    agree. Found here: the replay, which ends with ``finished``, can lack the last chunks for a while after the
    process is marked completed (seconds on a loaded machine), as if logs reached the database after the
    status did. A client re-reading converges; so does this."""
    deadline = time.monotonic() + within
    previous = read_stream(client, path)
    while True:
        time.sleep(0.3)
        current = read_stream(client, path)
        if (current == previous and marker in current.body) or time.monotonic() > deadline:
            return current
        previous = current


DESCRIPTION = "\nagent: write hello.txt hi there\nagent: stderr oops\nagent: say Wrote hello."


def run_workflow(instance: Instance, repo: Path) -> Workflow:
    """Project with setup and cleanup scripts, a task, an attempt with the FAKE agent; waits for the chain."""
    with httpx.Client(base_url=instance.base_url, timeout=30) as client:
        project = client.post(
            "/api/projects",
            json={
                "name": "streams",
                "git_repo_path": str(repo),
                "use_existing_repo": False,
                "setup_script": "echo setting up; echo warn >&2",
                "cleanup_script": "echo cleaned | tee cleanup.log",
            },
        ).json()["data"]
        task = client.post(
            "/api/tasks", json={"project_id": project["id"], "title": "Add hello", "description": DESCRIPTION}
        ).json()["data"]
        attempt = client.post("/api/task-attempts", json=attempt_body(task["id"])).json()["data"]
        deadline = time.monotonic() + 20
        while True:
            processes = client.get("/api/execution-processes", params={"task_attempt_id": attempt["id"]}).json()["data"]
            status = client.get(f"/api/tasks/{task['id']}").json()["data"]["status"]
            if status == "inreview" and len(processes) == 3 and all(p["status"] != "running" for p in processes):
                break
            assert time.monotonic() < deadline, f"chain did not finish: {status} {processes}"
            time.sleep(0.2)
        agent = next(p["id"] for p in processes if p["run_reason"] == "codingagent")
        return Workflow(
            events=read_stream(client, "/api/events"),
            raw_logs=read_settled(client, f"/api/execution-processes/{agent}/raw-logs", b'\\"type\\": \\"result\\"'),
            normalized_logs=read_settled(client, f"/api/execution-processes/{agent}/normalized-logs", b"Wrote hello."),
            diff=read_stream(client, f"/api/task-attempts/{attempt['id']}/diff"),
        )


def compare_captures(
    kind: str, primary: Capture, candidate: Capture, params: dict[str, Any] | None = None
) -> list[Diff]:
    return compare_stream(
        kind,
        params or {},
        primary.body,
        candidate.body,
        primary_complete=primary.complete,
        candidate_complete=candidate.complete,
        normalize=tmask,
        diff=diff_json,
    )


def edit_events(raw: bytes, edit: Callable[[SseEvent], SseEvent | None]) -> bytes:
    return format_sse([e for e in (edit(event) for event in parse_sse(raw)) if e is not None])


def drop_line(marker: str) -> Callable[[SseEvent], SseEvent | None]:
    """Remove the log lines containing ``marker`` from the raw-log chunks that carry them."""

    def edit(event: SseEvent) -> SseEvent | None:
        if event.event != "json_patch":
            return event
        ops = json.loads(event.data)
        for op in ops:
            lines = op["value"]["content"].splitlines(keepends=True)
            op["value"]["content"] = "".join(line for line in lines if marker not in line)
        return SseEvent(event=event.event, data=json.dumps(ops))

    return edit


@pytest.mark.e2e
def test_two_real_primaries_differ_only_by_classified_races(
    primary_pair: tuple[Instance, Instance], tmp_path: Path
) -> None:
    with ThreadPoolExecutor(2) as pool:
        p, c = pool.map(
            lambda args: run_workflow(*args),
            [(primary_pair[0], tmp_path / "p" / "repo"), (primary_pair[1], tmp_path / "c" / "repo")],
        )
    for capture in (p.raw_logs, p.normalized_logs, c.raw_logs, c.normalized_logs):
        assert capture.status == 200 and capture.complete  # finished processes: the DB replay form
    assert not p.events.complete and b"EXECUTION_PROCESS" in p.events.body  # /api/events never ends

    # 1. Parity of the system with itself: every difference is a classified race. /api/events entities are
    #    matched with the default keys (title; task; attempt + run reason): on loaded machines the feed shows
    #    processes out of creation order (a phantom insert delays one), which matching by order alone gets wrong.
    for kind, primary, candidate in [
        ("events", p.events, c.events),
        ("raw_logs", p.raw_logs, c.raw_logs),
        ("normalized_logs", p.normalized_logs, c.normalized_logs),
        ("diff", p.diff, c.diff),
    ]:
        diffs = compare_captures(kind, primary, candidate)
        assert [d for d in diffs if not race(d)] == [], kind
        assert not any(d.kind in STRUCTURAL_KINDS for d in diffs)

    # 2. One log line deleted from the candidate's raw logs: exactly that line is missing.
    without_result = Capture(200, edit_events(c.raw_logs.body, drop_line('"type": "result"')), True)
    diffs = [d for d in compare_captures("raw_logs", p.raw_logs, without_result) if not race(d)]
    assert [(d.path.rsplit("/", 1)[0], d.kind) for d in diffs] == [("/stream/logs/STDOUT", DiffKind.EVENT_MISSING)]
    assert '"type": "result"' in diffs[0].primary

    # 3. One normalized entry (the Write tool call) deleted from the candidate.
    def drop_tool_use(event: SseEvent) -> SseEvent | None:
        return None if '"tool_use"' in event.data else event

    without_tool = Capture(200, edit_events(c.normalized_logs.body, drop_tool_use), True)
    diffs = [d for d in compare_captures("normalized_logs", p.normalized_logs, without_tool) if not race(d)]
    assert [(d.kind, d.primary["content"]["entry_type"]["type"]) for d in diffs] == [
        (DiffKind.EVENT_MISSING, "tool_use")
    ]
    entry_types = [
        value["content"]["entry_type"]["type"] for _, value in ordered_entries(final_state(p.normalized_logs.body))
    ]
    assert diffs[0].path == f"/stream/entries/{entry_types.index('tool_use')}"

    # 4. A process's completion deleted from one side's /api/events (every event showing it "completed"), for
    #    a process the other side saw complete and whose remaining history on this side lost no write (else
    #    the comparator rightly calls the gap a possible stale read). Re-reads of that process that showed
    #    nothing new go too: on a loaded machine every process of a side can have one (its completion re-read
    #    before the commit), and then no process would qualify (4 of 30 runs with one core burning).
    def without_completion(capture: Capture, process_id: str) -> Capture:
        shown: set[str] = set()

        def edit(event: SseEvent) -> SseEvent | None:
            if process_id not in event.data:
                return event
            record = json.dumps(json.loads(event.data)[0]["value"]["record"], sort_keys=True)
            if '"status":"completed"' in event.data or record in shown:
                return None
            shown.add(record)
            return event

        return Capture(200, edit_events(capture.body, edit), False)

    def processes(capture: Capture) -> dict[str, Any]:
        entities = read_feed(parse_sse(capture.body)).of_type("EXECUTION_PROCESS")
        return {e.final["data"]["run_reason"]: e for e in entities}

    captures = {"primary": p.events, "candidate": c.events}
    targets = [
        (side, entity, processes(captures[other])[reason])
        for side, other in (("candidate", "primary"), ("primary", "candidate"))
        for reason, entity in processes(captures[side]).items()
        if "running" in entity.transitions("status")
        and "completed" in processes(captures[other]).get(reason, entity).transitions("status")
        and processes(without_completion(captures[side], entity.id))[reason].lost_writes == 0
    ]
    assert targets, "no process whose completion can be removed without a lost write (feeds too racy)"
    side, entity, other = targets[0]
    mutated = without_completion(captures[side], entity.id)
    pair = (p.events, mutated) if side == "candidate" else (mutated, c.events)
    diffs = [d for d in compare_captures("events", *pair) if not race(d)]
    base = f"/stream/entities/EXECUTION_PROCESS/{(other if side == 'candidate' else entity).ordinal}"
    index = other.transitions("status").index("completed")
    expected = DiffKind.EVENT_MISSING if side == "candidate" else DiffKind.EVENT_EXTRA
    assert (f"{base}/transitions/{index}", expected) in [(d.path, d.kind) for d in diffs]
    assert all(d.path.startswith(base) for d in diffs)  # the status, exit code and completion time of that process


DATA = Path(__file__).parent / "sse_captures"


def test_captured_feeds_with_a_phantom_and_a_stale_read() -> None:
    # Two real 0.0.71 instances, same workflow (captured 2026-11-26). The primary's setup process insert
    # surfaced as a phantom DELETED_EXECUTION_PROCESS, and its completion update re-read the row while it was
    # still "running": "completed" never appears in that feed.
    case = DATA / "events-phantom-stale"
    primary, candidate = (case / "primary.sse").read_bytes(), (case / "candidate.sse").read_bytes()
    diffs = compare("events", primary, candidate, complete=(False, False), normalize=tmask)
    assert {(d.path, d.kind) for d in diffs} == {
        ("/stream/entities/EXECUTION_PROCESS/0/data/completed_at", DiffKind.STREAM_STATE),
        ("/stream/entities/EXECUTION_PROCESS/0/data/exit_code", DiffKind.STREAM_STATE),
        ("/stream/entities/EXECUTION_PROCESS/0/data/status", DiffKind.STREAM_STATE),
        ("/stream/entities/EXECUTION_PROCESS/0/transitions/1", DiffKind.EVENT_EXTRA),
        ("/stream/races/paired_phantoms/EXECUTION_PROCESS", DiffKind.EVENT_MISSING),
    }
    assert all(race(d) for d in diffs)
    assert compare("events", primary, primary, complete=(False, False), normalize=tmask) == []


def test_captured_feeds_where_both_sides_lost_the_attempts_early_records() -> None:
    # Both attempts' inserts were phantoms; the primary's feed then never showed the branch being set (its
    # last update re-read the row before that write), the candidate's first record already had it.
    case = DATA / "events-both-phantoms"
    primary, candidate = (case / "primary.sse").read_bytes(), (case / "candidate.sse").read_bytes()
    diffs = compare("events", primary, candidate, complete=(False, False), normalize=tmask)
    branch = next(d for d in diffs if d.path == "/stream/entities/TASK_ATTEMPT/0/data/branch")
    assert (branch.primary, branch.candidate, branch.kind) == (None, "vk-<x>-add-hello", DiffKind.STREAM_STATE)
    assert all(race(d) for d in diffs)


def test_through_compare_exchange_with_the_shipped_profile() -> None:
    # The core calls compare_stream with its own normalizer and differ: races become a noise verdict,
    # a transition removed from the candidate a mismatch.
    profile = load_profile()
    headers = (("content-type", "text/event-stream"), ("cache-control", "no-cache"))
    case = DATA / "events-both-phantoms"
    primary, candidate = (case / "primary.sse").read_bytes(), (case / "candidate.sse").read_bytes()

    def judge(candidate_body: bytes) -> Any:
        return compare_exchange(
            profile,
            HttpRequest(method="GET", path="/api/events"),
            HttpResponse(status=200, headers=headers, body=primary, complete=False),
            HttpResponse(status=200, headers=headers, body=candidate_body, complete=False),
        )

    verdict = judge(candidate)
    assert verdict.kind.value == "noise" and verdict.diffs == () and verdict.explained
    without_inreview = edit_events(candidate, lambda e: None if '"status":"inreview"' in e.data else e)
    verdict = judge(without_inreview)
    assert verdict.kind.value == "mismatch"
    # Index 1: the primary's feed never showed the task "todo" (its insert was a phantom).
    assert ("/stream/entities/TASK/0/transitions/1", DiffKind.EVENT_MISSING) in [
        (d.path, d.kind) for d in verdict.diffs
    ]


def test_an_integer_beyond_64_bits_in_a_log_entry_compares_with_itself() -> None:
    # Found by the property above: orjson cannot write it, the alignment key falls back to the stdlib form.
    raw = stream({"op": "add", "path": "/entries/0", "value": -9223372036854775809}, finished=False)
    assert compare("normalized_logs", raw, raw, complete=(False, False)) == []
