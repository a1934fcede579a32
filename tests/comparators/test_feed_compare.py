from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from comparators.event_feed import EventFeed, read_feed
from comparators.feed_compare import RACE, compare_feeds, problem_diffs
from comparators.json_diff import diff_json
from comparators.patches import ReplayProblem
from comparators.result import STRUCTURAL_KINDS, Diff, DiffKind
from comparators.sse import SseEvent, parse_sse
from tests.factories import tmask


def identity(value: Any) -> Any:
    return value


class Workflow:
    """One side's feed of the A1 chain (task → attempt → setup/agent/cleanup), with this side's own ids."""

    def __init__(self, side: str) -> None:
        self.side = side
        self.events: list[SseEvent] = []

    def add(self, db_op: str, record_type: str, data: dict[str, Any]) -> Workflow:
        value = {"db_op": db_op, "record": {"type": record_type, "data": data}}
        op = {"op": "add", "path": f"/entries/{len(self.events) + 1}", "value": value}
        self.events.append(SseEvent(event="json_patch", data=json.dumps([op])))
        return self

    def id(self, name: str) -> str:
        return f"{self.side}-{name}"

    def task(self, db_op: str, status: str, name: str = "t") -> Workflow:
        return self.add(db_op, "TASK", {"id": self.id(name), "title": f"Task {name}", "status": status})

    def attempt(self, db_op: str, name: str = "a", task: str = "t") -> Workflow:
        return self.add(db_op, "TASK_ATTEMPT", {"id": self.id(name), "task_id": self.id(task)})

    def process(self, db_op: str, reason: str, status: str, attempt: str = "a") -> Workflow:
        data = {"id": self.id(reason), "task_attempt_id": self.id(attempt), "run_reason": reason, "status": status}
        return self.add(db_op, "EXECUTION_PROCESS", data)

    def chain(self, *, skip: tuple[str, ...] = ()) -> Workflow:
        self.task("insert", "todo").attempt("insert").task("update", "inprogress")
        for reason in ("setupscript", "codingagent", "cleanupscript"):
            if reason not in skip:
                self.process("insert", reason, "running").process("update", reason, "completed")
        return self.task("update", "inreview")


def compare(primary: Workflow, candidate: Workflow, **kwargs: Any) -> list[Diff]:
    return compare_feeds(
        read_feed(primary.events), read_feed(candidate.events), normalize=identity, diff=diff_json, **kwargs
    )


def test_same_workflow_with_different_ids_matches() -> None:
    assert compare(Workflow("p").chain(), Workflow("c").chain()) == []


def test_a_missing_entity_does_not_shift_the_others() -> None:
    diffs = compare(Workflow("p").chain(), Workflow("c").chain(skip=("setupscript",)))
    assert [(d.path, d.kind) for d in diffs] == [("/stream/entities/EXECUTION_PROCESS/0", DiffKind.EVENT_MISSING)]
    assert diffs[0].primary["data"]["run_reason"] == "setupscript"
    assert diffs[0].note == "entity only in the primary feed"


def test_ids_inside_records_are_compared_through_the_matching() -> None:
    primary = Workflow("p").task("insert", "todo", "t1").task("insert", "todo", "t2").attempt("insert", "a", "t1")
    candidate = Workflow("c").task("insert", "todo", "t1").task("insert", "todo", "t2")
    # The candidate's attempt belongs to the wrong task; matched by task it is an extra plus a missing one.
    candidate.attempt("insert", "a", "t2")
    diffs = compare(primary, candidate)
    assert {(d.path, d.kind) for d in diffs} == {
        ("/stream/entities/TASK_ATTEMPT/0", DiffKind.EVENT_MISSING),
        ("/stream/entities/TASK_ATTEMPT/candidate-0", DiffKind.EVENT_EXTRA),
    }
    # Matched by order alone, the same bug shows as a wrong reference inside the record.
    by_order = compare(primary, candidate, keys={"TASK": ("title",)})
    assert [(d.path, d.primary, d.candidate) for d in by_order] == [
        ("/stream/entities/TASK_ATTEMPT/0/data/task_id", "<TASK/0>", "<TASK/1>")
    ]


def test_a_missing_transition_is_reported_and_a_reordering_separately() -> None:
    primary = Workflow("p").chain()
    candidate = Workflow("c")
    candidate.task("insert", "todo").attempt("insert")
    candidate.process("insert", "setupscript", "running").process("update", "setupscript", "completed")
    candidate.task("update", "inprogress")
    candidate.process("insert", "codingagent", "completed")  # never showed "running"
    candidate.process("insert", "cleanupscript", "running").process("update", "cleanupscript", "completed")
    candidate.task("update", "inreview")
    diffs = compare(primary, candidate)
    assert [(d.path, d.kind, d.primary, d.note) for d in diffs] == [
        ("/stream/entities/EXECUTION_PROCESS/1/transitions/0", DiffKind.EVENT_MISSING, "running", None)
    ]

    # A reordering (final state equal): todo → inreview → inprogress → done against the primary's order.
    def statuses(side: str, order: list[str]) -> Workflow:
        feed = Workflow(side).task("insert", order[0])
        for status in order[1:]:
            feed.task("update", status)
        return feed

    diffs = compare(
        statuses("p", ["todo", "inprogress", "inreview", "done"]),
        statuses("c", ["todo", "inreview", "inprogress", "done"]),
    )
    assert [(d.path, d.kind) for d in diffs] == [("/stream/entities/TASK/0/transitions/2", DiffKind.TRANSITION_ORDER)]
    assert diffs[0].candidate == ["todo", "inreview", "inprogress", "done"]
    assert diffs[0].note == "'inreview' reached in another order"


def test_stale_reads_on_the_primary_are_races_not_findings() -> None:
    # Observed: phantom insert of the setup process, then its completion re-read while still "running".
    primary = Workflow("p")
    primary.task("insert", "todo").attempt("insert").add("insert", "DELETED_EXECUTION_PROCESS", {"rowid": 1})
    primary.task("update", "inprogress").process("update", "setupscript", "running")
    for reason in ("codingagent", "cleanupscript"):
        primary.process("insert", reason, "running").process("update", reason, "completed")
    primary.task("update", "inreview")
    diffs = compare(primary, Workflow("c").chain())
    assert diffs and all(d.note and d.note.startswith(RACE) for d in diffs)
    assert not any(d.kind in STRUCTURAL_KINDS for d in diffs)
    assert {d.path for d in diffs} == {
        "/stream/entities/EXECUTION_PROCESS/0/data/status",
        "/stream/entities/EXECUTION_PROCESS/0/transitions/1",
        "/stream/races/paired_phantoms/EXECUTION_PROCESS",
    }


def test_an_entity_hidden_behind_an_unpaired_phantom_is_a_race() -> None:
    primary = Workflow("p").task("insert", "todo", "t1").add("insert", "DELETED_TASK", {"rowid": 2})
    candidate = Workflow("c").task("insert", "todo", "t1").task("insert", "todo", "t2")
    diffs = compare(primary, candidate)
    assert [(d.path, d.kind) for d in diffs] == [
        ("/stream/entities/TASK/candidate-1", DiffKind.EVENT_EXTRA),
        ("/stream/races/unpaired_phantoms/TASK", DiffKind.EVENT_MISSING),
    ]
    assert all(d.note and d.note.startswith(RACE) for d in diffs)
    # Without the phantom, the same extra task is a finding.
    diffs = compare(Workflow("p").task("insert", "todo", "t1"), candidate)
    assert [(d.kind, d.note) for d in diffs] == [(DiffKind.EVENT_EXTRA, "entity only in the candidate feed")]


def test_deletes_and_phantom_deletes() -> None:
    def deleted(side: str, *, failed: bool) -> Workflow:
        feed = Workflow(side).task("insert", "todo").attempt("insert")
        feed.add("delete", "DELETED_TASK", {"rowid": 1}).add("delete", "DELETED_TASK_ATTEMPT", {"rowid": 1})
        if failed:  # CONTRACT-CORRECTIONS 34: the FK failure fires the hooks; the rows are still there
            feed.task("update", "inreview")
        return feed

    assert compare(deleted("p", failed=False), deleted("c", failed=False)) == []
    missing_delete = compare(deleted("p", failed=False), Workflow("c").task("insert", "todo").attempt("insert"))
    assert [(d.path, d.kind, d.primary) for d in missing_delete] == [
        ("/stream/entities/TASK/0/transitions/1", DiffKind.EVENT_MISSING, "<deleted>"),
        ("/stream/entities/TASK_ATTEMPT/0/transitions/0", DiffKind.EVENT_MISSING, "<deleted>"),
    ]
    candidate = Workflow("c").task("insert", "todo").attempt("insert").task("update", "inreview")
    failed = compare(deleted("p", failed=True), candidate)
    # The task's phantom delete was superseded; the attempt's could not be (no later record of it).
    assert [(d.path, d.kind, bool(d.note and d.note.startswith(RACE))) for d in failed] == [
        ("/stream/entities/TASK_ATTEMPT/0/transitions/0", DiffKind.EVENT_MISSING, False),
        ("/stream/races/superseded_deletes/TASK", DiffKind.EVENT_MISSING, True),
    ]


def test_unbound_deletes_are_compared_per_type() -> None:
    primary = Workflow("p").add("delete", "DELETED_TASK", {"rowid": 40})
    diffs = compare(primary, Workflow("c"))
    assert [(d.path, d.kind, d.primary, d.candidate) for d in diffs] == [
        ("/stream/deletes/TASK", DiffKind.EVENT_MISSING, 1, 0)
    ]


def test_transition_fields_are_configurable() -> None:
    primary = Workflow("p").task("insert", "todo").attempt("insert")
    primary.add("update", "TASK_ATTEMPT", {"id": "p-a", "task_id": "p-t", "branch": "vk-1"})
    candidate = Workflow("c").task("insert", "todo").attempt("insert")
    candidate.add("update", "TASK_ATTEMPT", {"id": "c-a", "task_id": "c-t", "branch": "vk-2"})
    diffs = compare(primary, candidate, transitions={"TASK_ATTEMPT": "branch"})
    assert {(d.path, d.kind) for d in diffs} == {
        ("/stream/entities/TASK_ATTEMPT/0/data/branch", DiffKind.VALUE),
        ("/stream/entities/TASK_ATTEMPT/0/transitions/1", DiffKind.EVENT_MISSING),
        ("/stream/entities/TASK_ATTEMPT/0/transitions/1", DiffKind.EVENT_EXTRA),
    }


def test_problems_shared_by_both_sides_are_parity() -> None:
    shared = ReplayProblem("/stream/events/3", "json_patch data is not JSON", "{oops")
    same_elsewhere = ReplayProblem("/stream/events/9", "json_patch data is not JSON", "{oops")
    own = ReplayProblem("/stream/events/4", "feed value lacks db_op/record", "{}")
    diffs = problem_diffs([shared, own], [same_elsewhere])
    assert [(d.path, d.kind, d.primary) for d in diffs] == [("/stream/events/4", DiffKind.STREAM_STATE, "{}")]
    assert diffs[0].note == "malformed primary stream: feed value lacks db_op/record"


def test_entities_pair_by_key_whatever_order_the_feed_shows_them_in() -> None:
    # Observed: a phantom insert delayed the setup process's first record past the agent's insert.
    primary = Workflow("p").task("insert", "todo").attempt("insert")
    primary.add("insert", "DELETED_EXECUTION_PROCESS", {"rowid": 1})
    primary.process("insert", "codingagent", "running").process("update", "setupscript", "completed")
    primary.process("update", "codingagent", "completed")
    candidate = Workflow("c").task("insert", "todo").attempt("insert")
    candidate.process("insert", "setupscript", "running").process("update", "setupscript", "completed")
    candidate.process("insert", "codingagent", "running").process("update", "codingagent", "completed")
    diffs = compare(primary, candidate)
    assert [(d.path, d.kind, race(d)) for d in diffs] == [
        # The primary's setup process never showed "running": its insert was the phantom (a lost write).
        ("/stream/entities/EXECUTION_PROCESS/1/transitions/0", DiffKind.EVENT_EXTRA, True),
        ("/stream/races/paired_phantoms/EXECUTION_PROCESS", DiffKind.EVENT_MISSING, True),
    ]
    by_order = compare(primary, candidate, keys={})
    assert any(d.path == "/stream/entities/EXECUTION_PROCESS/0/data/run_reason" and not race(d) for d in by_order)


def test_a_field_one_side_shows_stale_is_a_race() -> None:
    # Observed: the candidate's attempt never showed its branch (both updates re-read before the write).
    def attempt(feed: Workflow, *states: dict[str, Any]) -> Workflow:
        feed.task("insert", "todo").attempt("insert")
        for state in states:
            feed.add("update", "TASK_ATTEMPT", {"id": feed.id("a"), "task_id": feed.id("t"), **state})
        return feed

    worktree, branch = {"container_ref": "/wt/x", "branch": None}, {"container_ref": "/wt/x", "branch": "vk-x"}
    stale = compare(attempt(Workflow("p"), worktree, branch), attempt(Workflow("c"), worktree, worktree))
    assert [(d.path, d.kind, race(d)) for d in stale] == [
        ("/stream/entities/TASK_ATTEMPT/0/data/branch", DiffKind.STREAM_STATE, True)
    ]

    # Both feeds lost the attempt's insert to a phantom: the primary's first record already has the branch,
    # the candidate never shows one (its updates re-read the row too early). A field the side that lost
    # writes never showed changing is behind as well.
    def phantom_attempt(feed: Workflow, *states: dict[str, Any]) -> Workflow:
        feed.task("insert", "todo").add("insert", "DELETED_TASK_ATTEMPT", {"rowid": 1})
        for state in states:
            feed.add("update", "TASK_ATTEMPT", {"id": feed.id("a"), "task_id": feed.id("t"), **state})
        return feed

    unchanged = compare(phantom_attempt(Workflow("p"), branch), phantom_attempt(Workflow("c"), worktree, worktree))
    assert [(d.path, d.kind, race(d)) for d in unchanged] == [
        ("/stream/entities/TASK_ATTEMPT/0/data/branch", DiffKind.STREAM_STATE, True)
    ]
    # The same final value without a lost write on the candidate is a finding.
    fresh = compare(attempt(Workflow("p"), worktree, branch), attempt(Workflow("c"), worktree))
    assert [(d.path, d.kind, race(d)) for d in fresh] == [
        ("/stream/entities/TASK_ATTEMPT/0/data/branch", DiffKind.TYPE, False)
    ]


def test_both_sides_stale_in_different_places() -> None:
    # Observed: one feed never showed the task "inreview", the other never showed it "inprogress".
    primary = Workflow("p").task("insert", "todo").task("update", "inprogress").task("update", "inprogress")
    candidate = Workflow("c").task("insert", "todo").task("update", "todo").task("update", "inreview")
    diffs = compare(primary, candidate)
    assert {(d.path, d.kind) for d in diffs} == {
        ("/stream/entities/TASK/0/data/status", DiffKind.STREAM_STATE),
        ("/stream/entities/TASK/0/transitions/1", DiffKind.EVENT_MISSING),
        ("/stream/entities/TASK/0/transitions/1", DiffKind.EVENT_EXTRA),
    }
    assert all(race(d) for d in diffs)


def race(diff: Diff) -> bool:
    return bool(diff.note and diff.note.startswith(RACE))


def test_a_delete_that_may_have_removed_another_row_is_a_race() -> None:
    # One side's delete of a reused rowid is ambiguous (see test_event_feed): its "<deleted>" is not shown,
    # and the other side showing it is no finding. A side whose delete is bound still has to show it.
    def side(name: str, *, ambiguous: bool) -> Workflow:
        feed = Workflow(name).task("insert", "todo", "keep").add("insert", "DELETED_TASK", {"rowid": 2})
        feed.add("insert", "DELETED_TASK", {"rowid": 3}).task("update", "inreview", "gone")
        if not ambiguous:  # the kept task's update shows which phantom was "gone"'s: the other row is hidden
            return feed.add("delete", "DELETED_TASK", {"rowid": 1})
        return feed.add("delete", "DELETED_TASK", {"rowid": 3})

    bound = Workflow("p").task("insert", "todo", "keep").task("insert", "inreview", "gone")
    bound.add("delete", "DELETED_TASK", {"rowid": 2})
    diffs = compare(bound, side("c", ambiguous=True))
    deleted = next(d for d in diffs if d.path == "/stream/entities/TASK/1/transitions/1")
    assert (deleted.kind, deleted.primary, race(deleted)) == (DiffKind.EVENT_MISSING, "<deleted>", True)
    assert deleted.note and "ambiguous delete" in deleted.note
    assert all(race(d) for d in diffs)
    assert read_feed(side("c", ambiguous=True).events).ambiguous_deletes == {"TASK": 1}


def test_new_race_counters_are_races() -> None:
    primary = Workflow("p").add("insert", "DELETED_TASK", {"rowid": 1}).add("delete", "DELETED_TASK", {"rowid": 1})
    diffs = compare(primary, Workflow("c"))
    assert [(d.path, race(d)) for d in diffs] == [
        ("/stream/races/unpaired_phantoms/TASK", True),
        ("/stream/races/hidden_deletes/TASK", True),
    ]


def test_a_renamed_entity_pairs_through_a_later_record() -> None:
    # Observed shape: "Write docs" renamed "Write docs (v2)"; a side whose insert was a phantom and whose first
    # update was read after the rename never shows the first title.
    primary = Workflow("p").add("insert", "TASK", {"id": "p-t", "title": "Write docs", "status": "todo"})
    primary.add("update", "TASK", {"id": "p-t", "title": "Write docs (v2)", "status": "inreview"})
    candidate = Workflow("c").add("insert", "DELETED_TASK", {"rowid": 1})
    candidate.add("update", "TASK", {"id": "c-t", "title": "Write docs (v2)", "status": "inreview"})
    diffs = compare(primary, candidate)
    assert [(d.path, d.kind, race(d)) for d in diffs] == [
        ("/stream/entities/TASK/0/transitions/0", DiffKind.EVENT_MISSING, True),
        ("/stream/races/paired_phantoms/TASK", DiffKind.EVENT_EXTRA, True),
    ]


# --- real captures: two real 0.0.71 instances, same workflow (tests/comparators/sse_captures/README.md) ----

CAPTURES = Path(__file__).parent / "sse_captures"


def patches(case: str, side: str) -> list[list[dict[str, Any]]]:
    return [json.loads(e.data) for e in parse_sse((CAPTURES / case / f"{side}.sse").read_bytes())]


def compare_patches(primary: list[list[dict[str, Any]]], candidate: list[list[dict[str, Any]]]) -> list[Diff]:
    def feed(side: list[list[dict[str, Any]]]) -> EventFeed:
        return read_feed([SseEvent(event="json_patch", data=json.dumps(patch)) for patch in side])

    return compare_feeds(feed(primary), feed(candidate), normalize=tmask, diff=diff_json)


def unexplained(diffs: list[Diff]) -> list[tuple[str, DiffKind]]:
    return [(d.path, d.kind) for d in diffs if not race(d) or d.kind in STRUCTURAL_KINDS]


@pytest.mark.parametrize("case", ["events-rowid-ambiguous", "events-rowid-overtake"])
def test_real_feeds_with_rowid_reuse_differ_only_by_races(case: str) -> None:
    # Before the rowid model, these pairs reported a "<deleted>" on the wrong task (and, for a task that went
    # inprogress -> inreview -> inprogress, the two states one stale re-read hid) as findings.
    primary, candidate = patches(case, "primary"), patches(case, "candidate")
    assert unexplained(compare_patches(primary, candidate)) == []
    assert unexplained(compare_patches(candidate, primary)) == []
    # A delete the candidate really lacks is still found: drop its delete of "Started at once" and the
    # cascade to its attempt and process (the first three deletes of the workflow).
    first_delete = next(i for i, p in enumerate(candidate) if p[0]["value"]["db_op"] == "delete")
    assert {p[0]["value"]["db_op"] for p in candidate[first_delete : first_delete + 3]} == {"delete"}
    without = candidate[:first_delete] + candidate[first_delete + 3 :]
    found = unexplained(compare_patches(primary, without))
    assert ("/stream/entities/TASK_ATTEMPT/0/transitions/0", DiffKind.EVENT_MISSING) in found


def _records(feed: list[list[dict[str, Any]]], record_type: str, db_op: str) -> list[dict[str, Any]]:
    return [
        p[0]["value"]
        for p in feed
        if p[0]["value"]["record"]["type"] == record_type and p[0]["value"]["db_op"] == db_op
    ]


def test_reads_numbered_late_are_races_not_findings() -> None:
    # The shapes behind the flaky e2e test (test_streams::test_two_real_primaries_differ_only_by_classified_races),
    # each built from a real feed and compared with events-clean (a real feed that lost no write, so no lost
    # write on that side can explain anything). Before: each one was an unexplained difference.
    clean = patches("events-clean", "primary")
    late = patches("events-late-insert", "primary")
    assert unexplained(compare_patches(late, clean)) == []  # as recorded: insert numbered after the update
    # (a) the same late insert, read before the process completed: it shows the row as inserted.
    early = copy.deepcopy(late)
    (insert,) = [
        v for v in _records(early, "EXECUTION_PROCESS", "insert") if v["record"]["data"]["run_reason"] == "setupscript"
    ]
    data = insert["record"]["data"]
    data.update(status="running", exit_code=None, completed_at=None, updated_at=data["created_at"])
    assert unexplained(compare_patches(early, clean)) == []
    # (b) a phantom insert numbered after the entity's first update.
    candidate = patches("events-late-insert", "candidate")
    phantom = next(i for i, p in enumerate(candidate) if p[0]["value"]["record"]["type"] == "DELETED_EXECUTION_PROCESS")
    moved = [*candidate[:phantom], *candidate[phantom + 1 : phantom + 4], candidate[phantom], *candidate[phantom + 4 :]]
    assert unexplained(compare_patches(clean, moved)) == []
    # (c) the attempt's two updates (worktree, then branch 11 ms later) numbered in reverse.
    swapped = copy.deepcopy(clean)
    first, second = _records(swapped, "TASK_ATTEMPT", "update")[-2:]
    first["record"], second["record"] = second["record"], first["record"]
    assert unexplained(compare_patches(swapped, clean)) == []


def test_two_task_states_swapped_stay_a_finding() -> None:
    # tests/e2e/test_detection plants this: the records of a task's last two updates swapped. Whole-second
    # stamps cannot prove a late read, so it is a reordering, as before.
    clean = patches("events-clean", "primary")
    swapped = copy.deepcopy(clean)
    first, second = _records(swapped, "TASK", "update")[-2:]
    assert first["record"]["data"]["status"] != second["record"]["data"]["status"]
    first["record"], second["record"] = second["record"], first["record"]
    found = unexplained(compare_patches(clean, swapped))
    assert any(re.fullmatch(r"/stream/entities/TASK/0/transitions/\d+", path) for path, _ in found)
    assert DiffKind.TRANSITION_ORDER in [kind for _, kind in found]
