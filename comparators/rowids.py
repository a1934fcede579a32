"""SQLite's rowid assignment, replayed over one table's change feed, to tell which row a delete names.

A ``DELETED_*`` record carries only a rowid. 0.0.71's tables have no AUTOINCREMENT, so an insert takes
``max(rowid of the rows present) + 1``: the rowid of a deleted row goes to the next insert when it was the
largest (checked live: delete task rowid 2, the next task gets rowid 2). Which row a delete names therefore
depends on the order of the writes, and the feed does not show that order: every insert and update is re-read
on its own task and numbered when the read returns (CONTRACT §5.1, NOISE §3). What the feed does say:

* **inserts.** Each row's insert fired the hook once and surfaced once as an ``insert`` event: a full record,
  or a phantom ``{rowid}`` when the read came too early. The rows were inserted in ``created_at`` order
  (SQLite stamps it at insert; intervals at the printed precision, so equal or overlapping stamps leave the
  order open); rows without ``created_at`` are taken in the feed order of their insert events. A phantom is
  the insert of a row seen later only through updates (*paired*), of a row never seen again (*hidden*: it
  exists and holds its rowid), or a statement that failed (*failed*: its rowid is free again,
  CONTRACT-CORRECTIONS 34). The phantom's rowid is the one the insert took.
* **deletes** are pushed without a read, so their feed order is their write order, and whatever was pushed
  before a delete was written before it; an insert pushed after it may still have been written before it.
  A delete names a present row; if that row is shown again after the delete, the delete failed and removed
  nothing (CONTRACT-CORRECTIONS 34); a delete of a rowid no row holds is *unbound*.

``solve`` explores every order of the writes consistent with this (depth first, memoized, with bounds on
the states visited and on the inserts read back across a delete, ``MAX_LATE_READS``) and keeps the cheapest:
the fewest anomalies (unbound or failed deletes), then the fewest inserts read back across a later delete
(reads mostly come back in order), then the fewest hidden rows (a row nobody ever saw is assumed only when
the rowids require it). For each delete it returns every target those orders give. One target is a fact;
several are an ambiguity the comparator must not turn into a transition. ``None`` means no order fits (a
feed not read from a fresh server, whose rowids start elsewhere) or the search was too large: then only the
number of deletes can be compared.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["MAX_LATE_READS", "MAX_STATES", "MAX_WRITES", "Delete", "Phantom", "Row", "Target", "solve"]

# A table whose feed has more writes, or allows more orders of them, is compared by delete counts only.
MAX_WRITES = 250
MAX_STATES = 50_000
# At most this many inserts are assumed written before a delete that was pushed ahead of them (their reads
# came back across it): each one multiplies the orders to explore, and deletes are rare.
MAX_LATE_READS = 3

TargetKind = Literal["deleted", "failed", "hidden", "unbound"]


@dataclass(frozen=True)
class Row:
    """A row the feed shows with full records. ``created`` is its insert time as ``[low, high)`` (any
    comparable unit, the same for every row of the table); ``insert_at`` the position of its full ``insert``
    event (None: the insert surfaced as a phantom); ``first_at`` the position of its first full record;
    ``shown_at`` the positions of all its full records."""

    key: Hashable
    created: tuple[int, int]
    insert_at: int | None
    first_at: int
    shown_at: tuple[int, ...]


@dataclass(frozen=True)
class Phantom:
    at: int
    rowid: int


@dataclass(frozen=True)
class Delete:
    at: int
    rowid: int


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    row: Hashable | None = None  # the Row.key for "deleted" and "failed"


_Cost = tuple[int, int, int]  # (anomalies, inserts read back after a later delete, hidden rows)
_Outcome = dict[int, frozenset[Target]]  # delete index -> its targets in the cheapest orders
_Result = tuple[_Cost, _Outcome] | None


@dataclass(frozen=True)
class _Table:
    """The rowids present: every one up to ``top`` but the ``holes``; who holds them is kept only for the
    rowids some delete names (``named``: rowid -> row index, or -1-j for phantom j's hidden row)."""

    top: int = 0
    holes: frozenset[int] = frozenset()
    named: tuple[tuple[int, int], ...] = ()

    def insert(self, holder: int, tracked: frozenset[int]) -> _Table:
        rowid = self.top + 1
        named = (*self.named, (rowid, holder)) if rowid in tracked else self.named
        return _Table(rowid, self.holes, named)

    def holder(self, rowid: int) -> int | None:
        if rowid > self.top or rowid < 1 or rowid in self.holes:
            return None
        return next((h for r, h in self.named if r == rowid), None)

    def delete(self, rowid: int) -> _Table:
        named = tuple(item for item in self.named if item[0] != rowid)
        if rowid != self.top:
            return _Table(self.top, self.holes | {rowid}, named)
        top, holes = rowid - 1, set(self.holes)
        while top in holes:  # the largest rowid left is the next insert's base
            holes.discard(top)
            top -= 1
        return _Table(top, frozenset(holes), named)

    def key(self, rowids: frozenset[int]) -> tuple[object, ...]:
        """What the rest of the search depends on, when only deletes of ``rowids`` are left."""
        return self.top, self.holes, tuple(item for item in self.named if item[0] in rowids)


class _TooLarge(Exception):
    pass


class _Search:
    def __init__(self, rows: Sequence[Row], phantoms: Sequence[Phantom], deletes: Sequence[Delete]) -> None:
        self.rows = sorted(rows, key=lambda row: row.created)
        self.phantoms, self.deletes = phantoms, deletes
        self.memo: dict[object, _Result] = {}
        # Everything pushed before a delete was written before it.
        self.rows_before = [_mask(i for i, row in enumerate(self.rows) if row.first_at < d.at) for d in deletes]
        self.phantoms_before = [_mask(j for j, p in enumerate(phantoms) if p.at < d.at) for d in deletes]
        self.all_rows, self.all_phantoms = (1 << len(rows)) - 1, (1 << len(phantoms)) - 1
        self.tracked = frozenset(d.rowid for d in deletes)
        self.delete_ats = [d.at for d in deletes]  # ascending: deletes come in feed order
        self.by_rowid: dict[int, list[int]] = {}
        for j, phantom in enumerate(phantoms):
            self.by_rowid.setdefault(phantom.rowid, []).append(j)
        self.left = [frozenset(d.rowid for d in deletes[k:]) for k in range(len(deletes) + 1)]

    def eligible(self, placed: int) -> list[int]:
        """Unplaced rows no unplaced row was certainly created before (rows are sorted by creation start, so
        the scan stops at the first row that starts after the earliest end seen)."""
        eligible: list[int] = []
        earliest_end: int | None = None
        for i in range(len(self.rows)):
            if placed >> i & 1:
                continue
            low, high = self.rows[i].created
            if earliest_end is not None and low >= earliest_end:
                break
            eligible.append(i)
            earliest_end = high if earliest_end is None else min(earliest_end, high)
        return [i for i in eligible if earliest_end is None or self.rows[i].created[0] < earliest_end]

    def run(self, placed: int, used: int, k: int, table: _Table, late: int) -> _Result:
        """The cheapest completions from this state: ``placed`` rows, ``used`` phantoms, deletes before ``k``,
        ``late`` inserts placed before a delete pushed ahead of them."""
        done = k == len(self.deletes)
        key = (placed, used, k, late, table.key(self.left[k]))
        if key in self.memo:
            return self.memo[key]
        if len(self.memo) >= MAX_STATES:
            raise _TooLarge
        self.memo[key] = result = self._moves(placed, used, k, table, late, done)
        return result

    def _moves(self, placed: int, used: int, k: int, table: _Table, late: int, done: bool) -> _Result:
        if placed == self.all_rows and used == self.all_phantoms and done:
            return (0, 0, 0), {}
        best: _Result = None
        rowid = table.top + 1
        open_phantoms = [j for j in self.by_rowid.get(rowid, ()) if not used >> j & 1]
        for i in self.eligible(placed):
            row = self.rows[i]
            # A row whose insert surfaced as a phantom takes one of the phantoms with that rowid.
            for j in [None] if row.insert_at is not None else open_phantoms:
                over = self._overtaken(k, row.insert_at if j is None else self.phantoms[j].at)
                if late + over <= MAX_LATE_READS:
                    taken = used if j is None else used | 1 << j
                    result = self.run(placed | 1 << i, taken, k, table.insert(i, self.tracked), late + over)
                    best = _better(best, _add(result, (0, over, 0)))
        for j in open_phantoms:
            over = self._overtaken(k, self.phantoms[j].at)
            if late + over <= MAX_LATE_READS:
                hidden = self.run(placed, used | 1 << j, k, table.insert(-1 - j, self.tracked), late + over)
                best = _better(best, _add(hidden, (0, over, 1)))
                failed = self.run(placed, used | 1 << j, k, table, late + over)
                best = _better(best, _add(failed, (0, over, 0)))
        if not done and self._delete_ready(placed, used, k):
            target, cost, remaining = self._delete(k, table)
            best = _better(best, _with(_add(self.run(placed, used, k + 1, remaining, late), cost), k, target))
        return best

    def _overtaken(self, k: int, at: int | None) -> int:
        """How many deletes not yet written were pushed before this insert's event (its read came back late)."""
        return 0 if at is None else max(0, bisect.bisect_left(self.delete_ats, at) - k)

    def _delete_ready(self, placed: int, used: int, k: int) -> bool:
        rows, phantoms = self.rows_before[k], self.phantoms_before[k]
        return placed & rows == rows and used & phantoms == phantoms

    def _delete(self, k: int, table: _Table) -> tuple[Target, _Cost, _Table]:
        delete = self.deletes[k]
        holder = table.holder(delete.rowid)
        if holder is None:
            return Target("unbound"), (1, 0, 0), table
        remaining = table.delete(delete.rowid)
        if holder < 0:
            return Target("hidden"), (0, 0, 0), remaining
        row = self.rows[holder]
        if any(at > delete.at for at in row.shown_at):
            # Shown again after its delete: the statement failed and the row stayed.
            return Target("failed", row.key), (1, 0, 0), table
        return Target("deleted", row.key), (0, 0, 0), remaining


def _mask(indices: Iterable[int]) -> int:
    bits = 0
    for index in indices:
        bits |= 1 << index
    return bits


def _add(result: _Result, cost: _Cost) -> _Result:
    if result is None or cost == (0, 0, 0):
        return result
    (anomalies, late, hidden), outcome = result
    return (anomalies + cost[0], late + cost[1], hidden + cost[2]), outcome


def _with(result: _Result, k: int, target: Target) -> _Result:
    if result is None:
        return None
    return result[0], {**result[1], k: frozenset({target})}


def _better(best: _Result, other: _Result) -> _Result:
    """The cheaper of two results; on a tie, every outcome of both."""
    if other is None:
        return best
    if best is None or other[0] < best[0]:
        return other
    if best[0] < other[0]:
        return best
    merged = dict(best[1])
    for item, values in other[1].items():
        merged[item] = merged.get(item, frozenset()) | values
    return best[0], merged


def solve(
    rows: Sequence[Row], phantoms: Sequence[Phantom], deletes: Sequence[Delete]
) -> list[frozenset[Target]] | None:
    """The possible targets of each delete (see the module docstring), or None when no order of the writes
    fits the feed or there are too many to explore."""
    if len(rows) + len(phantoms) + len(deletes) > MAX_WRITES:  # two stack frames per write
        return None
    try:
        result = _Search(rows, phantoms, deletes).run(0, 0, 0, _Table(), 0)
    except _TooLarge:
        return None
    if result is None:
        return None
    return [result[1].get(k, frozenset()) for k in range(len(deletes))]
