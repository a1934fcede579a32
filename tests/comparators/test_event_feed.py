from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from comparators.event_feed import DELETED, EventFeed, read_feed
from comparators.sse import SseEvent, parse_sse


class Feed:
    """Builds an /api/events capture the way the primary frames it (one op per event, /entries/<n> from 1)."""

    def __init__(self) -> None:
        self.events: list[SseEvent] = []

    def add(self, db_op: str, record_type: str, data: dict[str, Any]) -> Feed:
        value = {"db_op": db_op, "record": {"type": record_type, "data": data}}
        op = {"op": "add", "path": f"/entries/{len(self.events) + 1}", "value": value}
        self.events.append(SseEvent(event="json_patch", data=json.dumps([op])))
        return self

    def raw(self, data: str) -> Feed:
        self.events.append(SseEvent(event="json_patch", data=data))
        return self


def task(task_id: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"id": task_id, "title": f"title {task_id}", "status": status, **extra}


def process(process_id: str, status: str, exit_code: int | None = None) -> dict[str, Any]:
    return {"id": process_id, "run_reason": "setupscript", "status": status, "exit_code": exit_code}


def test_phantom_insert_is_paired_with_the_entity_first_seen_by_update() -> None:
    # Observed (run of 2026-11-26): insert DELETED_EXECUTION_PROCESS rowid 1, then the process's update
    # re-read before the completion was committed, so "completed" never appeared in that feed.
    feed = read_feed(
        Feed()
        .add("insert", "DELETED_EXECUTION_PROCESS", {"rowid": 1})
        .add("update", "EXECUTION_PROCESS", process("p1", "running"))
        .events
    )
    entity = feed.entities[("EXECUTION_PROCESS", "p1")]
    assert entity.paired_phantom and entity.rowid == 1
    assert entity.lost_writes == 1  # two hook firings, one state
    assert entity.transitions("status") == ["running"]
    assert feed.paired_phantoms["EXECUTION_PROCESS"] == 1 and not feed.unpaired_phantoms


def test_late_read_and_stale_update_are_lost_writes() -> None:
    feed = read_feed(
        Feed()
        .add("insert", "EXECUTION_PROCESS", process("p1", "completed", 0))  # insert read late
        .add("update", "EXECUTION_PROCESS", process("p1", "completed", 0))
        .add("insert", "TASK", task("t1", "todo"))
        .add("update", "TASK", task("t1", "todo"))  # CONTRACT-CORRECTIONS 34: update showing pre-write state
        .add("update", "TASK", task("t1", "inreview"))
        .events
    )
    p1, t1 = feed.entities[("EXECUTION_PROCESS", "p1")], feed.entities[("TASK", "t1")]
    assert (p1.lost_writes, p1.transitions("status")) == (1, ["completed"])
    assert (t1.lost_writes, t1.transitions("status")) == (1, ["todo", "inreview"])
    assert t1.final["data"]["status"] == "inreview"
    assert [e.ordinal for e in feed.entities.values()] == [0, 0]


def test_failed_insert_phantom_stays_unpaired_and_its_rowid_is_reused() -> None:
    # CONTRACT-CORRECTIONS 34: POST /tasks with an unknown project fires insert + DELETED_TASK rowid 2.
    feed = read_feed(
        Feed()
        .add("insert", "TASK", task("t1", "todo"))
        .add("insert", "DELETED_TASK", {"rowid": 2})
        .add("insert", "TASK", task("t2", "todo"))
        .add("delete", "DELETED_TASK", {"rowid": 2})
        .events
    )
    assert feed.unpaired_phantoms["TASK"] == 1
    t2 = feed.entities[("TASK", "t2")]
    assert t2.rowid == 2 and t2.deleted and t2.transitions("status") == ["todo", DELETED]
    assert not feed.entities[("TASK", "t1")].deleted


def test_cascade_deletes_bind_by_rowid_and_the_largest_rowid_is_reused() -> None:
    feed = read_feed(
        Feed()
        .add("insert", "TASK", task("t1", "todo"))
        .add("insert", "TASK", task("t2", "todo"))
        .add("insert", "TASK_ATTEMPT", {"id": "a1", "task_id": "t2"})
        .add("delete", "DELETED_TASK", {"rowid": 2})
        .add("delete", "DELETED_TASK_ATTEMPT", {"rowid": 1})
        .add("insert", "TASK", task("t3", "todo"))  # SQLite: largest live rowid (1) + 1 = 2 again
        .add("delete", "DELETED_TASK", {"rowid": 2})
        .events
    )
    assert feed.entities[("TASK", "t2")].deleted
    assert feed.entities[("TASK_ATTEMPT", "a1")].transitions(None) == [DELETED]
    assert feed.entities[("TASK", "t3")].rowid == 2 and feed.entities[("TASK", "t3")].deleted
    assert not feed.entities[("TASK", "t1")].deleted
    assert not feed.unbound_deletes


def test_delete_followed_by_a_full_record_was_a_phantom() -> None:
    # CONTRACT-CORRECTIONS 34: DELETE /tasks/{id} failing with FK 787 still emits the delete events.
    feed = read_feed(
        Feed()
        .add("insert", "TASK", task("t1", "todo"))
        .add("delete", "DELETED_TASK", {"rowid": 1})
        .add("update", "TASK", task("t1", "inreview"))
        .add("delete", "DELETED_TASK", {"rowid": 77})
        .add("update", "DELETED_TASK", {"rowid": 1})
        .events
    )
    t1 = feed.entities[("TASK", "t1")]
    assert not t1.deleted and t1.superseded_deletes == 1
    assert t1.transitions("status") == ["todo", "inreview"]
    assert feed.superseded_deletes["TASK"] == 1
    assert feed.unbound_deletes["TASK"] == 1
    assert feed.stale_deleted_reads["TASK"] == 1 and t1.lost_writes == 1


def test_malformed_feed_values_are_problems_and_reading_goes_on() -> None:
    feed = read_feed(
        Feed()
        .raw("{oops")
        .raw(json.dumps([{"op": "remove", "path": "/entries/1"}]))
        .raw(json.dumps([{"op": "add", "path": "/entries/2", "value": {"db_op": "insert"}}]))
        .add("insert", "TASK", {"title": "no id"})
        .add("upsert", "DELETED_TASK", {"rowid": 1})
        .add("insert", "TASK", task("t1", "todo"))
        .events
    )
    assert [p.location for p in feed.problems] == [f"/stream/events/{i}" for i in range(5)]
    assert list(feed.entities) == [("TASK", "t1")]


def test_transition_values_that_are_objects_are_hashable() -> None:
    feed = read_feed(Feed().add("insert", "TASK", task("t1", {"b": 1, "a": [2]})).events)  # type: ignore[arg-type]
    assert feed.entities[("TASK", "t1")].transitions("status") == ['{"a":[2],"b":1}']


def test_a_phantom_paired_late_takes_back_its_rowid() -> None:
    # Observed on a loaded machine: the setup process's insert surfaced as a phantom (rowid 1), the agent's
    # insert arrived next, and the setup process's first full record came after it.
    feed = read_feed(
        Feed()
        .add("insert", "DELETED_EXECUTION_PROCESS", {"rowid": 1})
        .add("insert", "EXECUTION_PROCESS", {**process("agent", "running"), "run_reason": "codingagent"})
        .add("update", "EXECUTION_PROCESS", process("setup", "completed", 0))
        .add("delete", "DELETED_EXECUTION_PROCESS", {"rowid": 2})
        .events
    )
    setup, agent = feed.entities[("EXECUTION_PROCESS", "setup")], feed.entities[("EXECUTION_PROCESS", "agent")]
    assert (setup.rowid, agent.rowid) == (1, 2)
    assert [e.id for e in feed.of_type("EXECUTION_PROCESS")] == ["agent", "setup"]  # first-appearance order
    assert agent.deleted and not setup.deleted


# --- reads numbered late (CONTRACT §5.1: the event number is taken after the re-read returns) ----------

CAPTURES = Path(__file__).parent / "sse_captures"


def capture(case: str, side: str) -> EventFeed:
    return read_feed(parse_sse((CAPTURES / case / f"{side}.sse").read_bytes()))


def test_an_insert_numbered_after_its_update_is_recorded_as_it_came() -> None:
    # events-late-insert (real, loaded machine): the setup process's insert was numbered after its update,
    # and both reads showed it completed. One state, two hook firings: a lost write, no phantom.
    feed = capture("events-late-insert", "primary")
    (setup,) = [e for e in feed.of_type("EXECUTION_PROCESS") if e.final["data"]["run_reason"] == "setupscript"]
    assert setup.first_db_op == "update" and not setup.paired_phantom
    assert (setup.transitions("status"), setup.lost_writes) == (["completed"], 1)
    assert not feed.unpaired_phantoms and not feed.reordered_reads


def test_an_early_insert_read_numbered_late_goes_first() -> None:
    # The same shape with the insert read before the completion (the read returned, the numbering waited).
    created = "2026-11-26T09:22:31.402113906Z"
    running = {**process("p1", "running"), "created_at": created, "completed_at": None}
    completed = {**running, "status": "completed", "exit_code": 0, "completed_at": "2026-11-26T09:22:31.66Z"}
    feed = read_feed(
        Feed().add("update", "EXECUTION_PROCESS", completed).add("insert", "EXECUTION_PROCESS", running).events
    )
    entity = feed.entities[("EXECUTION_PROCESS", "p1")]
    assert entity.transitions("status") == ["running", "completed"] and entity.lost_writes == 0
    assert entity.reordered_reads == 1 and feed.reordered_reads == {"EXECUTION_PROCESS": 1}


def test_a_phantom_numbered_after_the_entity_still_pairs() -> None:
    feed = read_feed(
        Feed()
        .add("update", "EXECUTION_PROCESS", process("p1", "completed", 0))
        .add("insert", "DELETED_EXECUTION_PROCESS", {"rowid": 1})
        .events
    )
    entity = feed.entities[("EXECUTION_PROCESS", "p1")]
    assert entity.paired_phantom and entity.lost_writes == 1
    assert feed.paired_phantoms["EXECUTION_PROCESS"] == 1 and not feed.unpaired_phantoms


# --- rowid reuse (tests/comparators/sse_captures/events-rowid-*, full workflow on two real instances) ----


def test_a_delete_two_rows_may_have_taken_is_ambiguous_and_invents_nothing() -> None:
    # Primary: "Started at once" was seen only through updates and two phantoms (rowids 3 and 4) came before
    # it; the delete of rowid 4 removed it or the row never shown. Neither gets a "<deleted>".
    feed = capture("events-rowid-ambiguous", "primary")
    started = next(e for e in feed.of_type("TASK") if e.final["data"]["title"] == "Started at once")
    assert started.maybe_deleted and not started.deleted and DELETED not in started.transitions("status")
    assert feed.ambiguous_deletes == {"TASK": 1} and not feed.unbound_deletes
    # Its cascade (the attempt and the process, one rowid each) is unambiguous.
    attempts = [e for e in feed.of_type("TASK_ATTEMPT") if e.final["data"]["task_id"] == started.id]
    assert [e.deleted for e in attempts] == [True]
    # Candidate: the first task's insert was a phantom never followed (rowid 1); the last delete of the
    # workflow (rowid 1, the cascade of its project) removed that hidden row, not the task holding rowid 2.
    feed = capture("events-rowid-ambiguous", "candidate")
    titles = {e.final["data"]["title"]: e for e in feed.of_type("TASK")}
    assert "Doomed task" not in titles and titles["Started at once"].deleted
    assert [title for title, e in titles.items() if e.deleted] == ["Started at once"]
    assert feed.hidden_deletes == {"TASK": 1} and not feed.ambiguous_deletes


def test_the_order_without_late_reads_across_a_delete_is_chosen() -> None:
    # Candidate: "Task with image" surfaced only as a phantom (rowid 3). Only if that insert had failed could
    # "Started at once" hold rowid 3, and then the delete of rowid 4 must have named a task whose read came
    # back across it. Every read in order is the explanation kept: "Started at once" was deleted.
    for side in ("primary", "candidate"):
        feed = capture("events-rowid-overtake", side)
        deleted = sorted(e.final["data"]["title"] for e in feed.of_type("TASK") if e.deleted)
        assert deleted == ["Doomed task", "Started at once"], side
        assert not feed.ambiguous_deletes and not feed.unbound_deletes


def test_rowids_that_fit_no_order_leave_deletes_to_be_counted() -> None:
    # A feed of a server that had rows before it started: its rowids start elsewhere.
    feed = read_feed(
        Feed()
        .add("insert", "DELETED_TASK", {"rowid": 57})
        .add("insert", "TASK", task("t1", "todo"))
        .add("delete", "DELETED_TASK", {"rowid": 58})
        .events
    )
    assert feed.unbound_deletes == {"TASK": 1} and not feed.entities[("TASK", "t1")].deleted
