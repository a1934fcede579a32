from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from comparators.read_order import MAX_READ_DELAY_NS, WriteTime, order_reads, write_time

# An attempt's two updates as one real primary wrote them (captured 2026-11-26, tests/comparators/
# sse_captures/events-clean): the worktree first, the branch 11 ms later, both stamped by Rust in ns.
CREATED = "2026-11-26T09:18:36.820Z"
WORKTREE = {"id": "a", "branch": None, "created_at": CREATED, "updated_at": "2026-11-26T09:18:36.845398814Z"}
BRANCH = {**WORKTREE, "branch": "vk-8f5e-add-hello", "updated_at": "2026-11-26T09:18:36.856136723Z"}
INITIAL = {**WORKTREE, "container_ref": None, "updated_at": CREATED}


def order(reads: list[tuple[str, dict[str, Any]]]) -> tuple[list[dict[str, Any]], int]:
    """``order_reads`` of ``(db_op, record)`` pairs."""
    return order_reads([db_op for db_op, _ in reads], [record for _, record in reads])


def record(data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "TASK_ATTEMPT", "data": data}


SECOND = int(datetime(2026, 11, 26, 9, 18, 36, tzinfo=UTC).timestamp()) * 10**9


def test_write_time_is_the_latest_stamp_at_its_printed_precision() -> None:
    assert write_time({"updated_at": "2026-11-26T09:18:36Z"}) == WriteTime(SECOND, SECOND + 10**9)
    ms = write_time({"created_at": "2026-11-26T09:18:36.820Z"})
    assert ms == WriteTime(SECOND + 820 * 10**6, SECOND + 821 * 10**6)
    ns = write_time(
        {"updated_at": "2026-11-26T09:18:36.845398814Z", "created_at": "2026-11-26T09:18:36.820Z", "completed_at": None}
    )
    assert ns == WriteTime(SECOND + 845398814, SECOND + 845398815)
    # Only the rows' timestamp fields are stamps; anything else, or a malformed value, is not.
    assert write_time({"title": "2026-11-26T09:18:37Z", "n": 3, "updated_at": "2026-13-26T09:18:37Z"}) is None


def test_a_late_read_of_an_earlier_state_goes_back_in_place() -> None:
    ordered, moved = order([("update", record(BRANCH)), ("update", record(WORKTREE))])
    assert ordered == [record(WORKTREE), record(BRANCH)] and moved == 1
    assert order([("update", record(WORKTREE)), ("update", record(BRANCH))]) == (
        [record(WORKTREE), record(BRANCH)],
        0,
    )


def test_whole_second_stamps_and_long_gaps_are_not_reordered() -> None:
    # Two task states written in different seconds (SQLite's datetime('now')): more than a second of doubt.
    inprogress = {"status": "inprogress", "updated_at": "2026-11-26T09:11:34Z"}
    inreview = {"status": "inreview", "updated_at": "2026-11-26T09:11:35Z"}
    swapped = [("update", record(inreview)), ("update", record(inprogress))]
    assert order(swapped) == ([record(inreview), record(inprogress)], 0)
    # ns stamps a second and more apart: a read is not assumed to resume that late.
    later = {**BRANCH, "updated_at": "2026-11-26T09:18:37.845398814Z"}
    assert order([("update", record(later)), ("update", record(WORKTREE))])[1] == 0


def test_an_initial_insert_record_numbered_late_goes_first() -> None:
    # Observed (events-late-insert): a process's insert numbered after its update. Read early, it shows the
    # row as inserted (every stamp = created_at): first, whatever the stamps' precision.
    created = "2026-11-26T09:11:34.807Z"
    task_initial = {"status": "todo", "created_at": created, "updated_at": created}
    task_started = {**task_initial, "status": "inprogress", "updated_at": "2026-11-26T09:11:34Z"}
    assert order([("update", record(task_started)), ("insert", record(task_initial))]) == (
        [record(task_initial), record(task_started)],
        1,
    )
    # The same record under an update is a stale re-read: it stays (a swap of two updates is a finding).
    assert order([("update", record(task_started)), ("update", record(task_initial))])[1] == 0
    # An insert read late shows a later state: it stays where it was numbered.
    assert order([("update", record(BRANCH)), ("insert", record(BRANCH))]) == ([record(BRANCH)] * 2, 0)


@given(st.lists(st.integers(0, 2 * MAX_READ_DELAY_NS), max_size=8))
def test_ordering_keeps_every_record_and_never_moves_provably_ordered_neighbours_apart(offsets: list[int]) -> None:
    base = SECOND
    reads = [("update", record({"n": i, "updated_at": _ns(base + offset)})) for i, offset in enumerate(offsets)]
    ordered, moved = order(reads)
    assert sorted(r["data"]["n"] for r in ordered) == list(range(len(offsets)))
    assert (moved == 0) == ([r["data"]["n"] for r in ordered] == list(range(len(offsets))))
    for earlier, later in itertools.pairwise(ordered):
        first, second = write_time(earlier["data"]), write_time(later["data"])
        assert first is not None and second is not None
        assert not (second.certainly_before(first) and first.high - second.low <= MAX_READ_DELAY_NS)


def _ns(value: int) -> str:
    seconds, fraction = divmod(value, 10**9)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{fraction:09d}Z"
