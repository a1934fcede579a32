from __future__ import annotations

from comparators.rowids import MAX_LATE_READS, MAX_WRITES, Delete, Phantom, Row, Target, solve


def row(key: str, created: int, *, insert_at: int | None, shown: tuple[int, ...]) -> Row:
    """A row created at ``created`` (ms, any unit works), shown by full records at the ``shown`` positions."""
    return Row(key, (created, created + 1), insert_at, shown[0], shown)


def deleted(key: str) -> Target:
    return Target("deleted", key)


def test_a_deleted_rowid_goes_to_the_next_insert() -> None:
    # Checked live on 0.0.71: delete task B (rowid 2), the next task C gets rowid 2.
    rows = [
        row("A", 1, insert_at=0, shown=(0,)),
        row("B", 2, insert_at=1, shown=(1,)),
        row("C", 3, insert_at=3, shown=(3,)),
    ]
    assert solve(rows, [], [Delete(2, 2), Delete(4, 2)]) == [frozenset({deleted("B")}), frozenset({deleted("C")})]
    # Had C been inserted before B's delete (its read numbered late), it would hold rowid 3 and the second
    # delete would name nothing: an anomaly, so that order is not chosen.


def test_phantom_rowids_count_and_pin_the_order() -> None:
    # run of 2026-11-26: the first task's insert surfaced as a phantom and the task was never seen again
    # (hidden); the next task therefore holds rowid 2, and the cascade delete of rowid 1 removed the hidden row.
    rows = [row("docs", 2, insert_at=1, shown=(1, 3)), row("started", 3, insert_at=4, shown=(4, 5))]
    phantoms = [Phantom(0, 1)]
    assert solve(rows, phantoms, [Delete(6, 3), Delete(7, 1)]) == [
        frozenset({deleted("started")}),
        frozenset({Target("hidden")}),
    ]


def test_which_phantom_was_whose_insert_can_be_ambiguous() -> None:
    # events-rowid-ambiguous, primary: two phantoms (rowids 3 and 4); "started" is only seen through updates,
    # so its insert was one of them and the other row was never shown. The delete of rowid 4 removed either.
    rows = [
        row("doomed", 1, insert_at=0, shown=(0,)),
        row("docs", 2, insert_at=1, shown=(1,)),
        row("started", 4, insert_at=None, shown=(5, 6)),
    ]
    phantoms = [Phantom(2, 3), Phantom(4, 4)]
    (targets,) = solve(rows, phantoms, [Delete(7, 4)]) or [frozenset()]
    assert targets == {deleted("started"), Target("hidden")}


def test_fewer_reads_across_a_delete_win() -> None:
    # events-rowid-overtake, candidate: "image" surfaced only as a phantom (rowid 3). If that insert had failed,
    # "started" would hold rowid 3 and the delete of rowid 4 could only name a later row read back across
    # it; the order in which every read came back before the delete keeps "started" deleted.
    rows = [
        row("doomed", 1, insert_at=0, shown=(0,)),
        row("docs", 2, insert_at=1, shown=(1,)),
        row("started", 4, insert_at=3, shown=(3, 4)),
        row("review", 5, insert_at=7, shown=(7,)),
        row("hello", 6, insert_at=8, shown=(8,)),
    ]
    phantoms = [Phantom(2, 3), Phantom(6, 4)]
    assert solve(rows, phantoms, [Delete(5, 4)]) == [frozenset({deleted("started")})]


def test_a_phantom_is_a_failed_insert_unless_the_rowids_need_its_row() -> None:
    # CONTRACT-CORRECTIONS 34: POST /tasks with an unknown project fires insert + DELETED_TASK rowid 2.
    rows = [row("t1", 1, insert_at=0, shown=(0,)), row("t2", 3, insert_at=2, shown=(2,))]
    assert solve(rows, [Phantom(1, 2)], [Delete(3, 2)]) == [frozenset({deleted("t2")})]
    # With t2 holding rowid 3 (the phantom's row exists), the delete of rowid 3 names t2 as well.
    assert solve(rows, [Phantom(1, 2)], [Delete(3, 3)]) == [frozenset({deleted("t2")})]


def test_failed_and_unbound_deletes() -> None:
    rows = [row("t1", 1, insert_at=0, shown=(0, 2))]
    # Shown again after its delete: the statement failed (CONTRACT-CORRECTIONS 34).
    assert solve(rows, [], [Delete(1, 1)]) == [frozenset({Target("failed", "t1")})]
    assert solve(rows, [], [Delete(1, 77)]) == [frozenset({Target("unbound")})]


def test_rows_without_creation_times_follow_the_feed() -> None:
    # The insert events' feed order stands in for created_at: a, b, then c after b's delete.
    rows = [Row(key, (at, at + 1), at, at, (at,)) for key, at in (("a", 0), ("b", 1), ("c", 3))]
    assert solve(rows, [], [Delete(2, 2), Delete(4, 2)]) == [frozenset({deleted("b")}), frozenset({deleted("c")})]


def test_no_fitting_order_or_too_many_writes_give_up() -> None:
    # A feed from a server that had rows before it started: rowids start elsewhere.
    assert solve([row("t", 1, insert_at=1, shown=(1,))], [Phantom(0, 57)], [Delete(2, 57)]) is None
    many = [row(f"t{i}", i, insert_at=i, shown=(i,)) for i in range(MAX_WRITES)]
    assert solve(many, [], [Delete(MAX_WRITES, 1)]) is None
    assert solve(many[:-1], [], [Delete(MAX_WRITES, 1)]) == [frozenset({deleted("t0")})]


def test_reads_back_across_a_delete_are_bounded() -> None:
    # A delete pushed before the phantoms that would have to hold its rowid: only up to MAX_LATE_READS
    # inserts are assumed written before it.
    rows = [row("a", 1, insert_at=0, shown=(0,))]
    for late, target in ((MAX_LATE_READS, Target("hidden")), (MAX_LATE_READS + 1, Target("unbound"))):
        phantoms = [Phantom(2 + n, 2 + n) for n in range(late)]  # rowids 2, 3, ... pushed after the delete
        assert solve(rows, phantoms, [Delete(1, 1 + late)]) == [frozenset({target})]


def test_a_long_table_with_reuse_binds_every_delete() -> None:
    # 200 tasks, every tenth deleted at once, the next one taking its rowid.
    rows, deletes, at, rowid = [], [], 0, 0
    for n in range(200):
        rows.append(row(f"t{n}", n, insert_at=at, shown=(at,)))
        at, rowid = at + 1, rowid + 1
        if n % 10 == 9:
            deletes.append(Delete(at, rowid))
            at, rowid = at + 1, rowid - 1
    assert solve(rows, [], deletes) == [frozenset({deleted(f"t{n}")}) for n in range(9, 200, 10)]
