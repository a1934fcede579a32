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

``solve`` explores every order of the writes consistent with this (depth first, memoized, with a bound on the
states visited) and keeps the orders with the fewest anomalies (unbound or failed deletes), then the fewest
hidden rows: a row nobody ever saw is assumed only when the rowids require it. For each delete it returns
every target those orders give. One target is a fact; several are an ambiguity the comparator must not turn
into a transition. ``None`` means no order fits (a feed not read from a fresh server, whose rowids start
elsewhere) or the search was too large: then only the number of deletes can be compared.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["MAX_STATES", "MAX_WRITES", "Delete", "Phantom", "Row", "Target", "solve"]

# A table whose feed has more writes, or allows more orders of them, is compared by delete counts only.
MAX_WRITES = 250
MAX_STATES = 50_000

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
_Present = tuple[tuple[int, int], ...]  # (rowid, holder) by rowid; holder < 0: hidden phantom -1-holder


class _TooLarge(Exception):
    pass


class _Search:
    def __init__(self, rows: Sequence[Row], phantoms: Sequence[Phantom], deletes: Sequence[Delete]) -> None:
        self.rows, self.phantoms, self.deletes = rows, phantoms, deletes
        self.memo: dict[object, _Result] = {}
        # Everything pushed before a delete was written before it.
        self.rows_before = [_mask(i for i, row in enumerate(rows) if row.first_at < d.at) for d in deletes]
        self.phantoms_before = [_mask(j for j, p in enumerate(phantoms) if p.at < d.at) for d in deletes]
        self.all_rows, self.all_phantoms = (1 << len(rows)) - 1, (1 << len(phantoms)) - 1

    def eligible(self, placed: int) -> list[int]:
        """Unplaced rows no unplaced row was certainly created before."""
        open_rows = [i for i in range(len(self.rows)) if not placed >> i & 1]
        if not open_rows:
            return []
        earliest_end = min(self.rows[i].created[1] for i in open_rows)
        return [i for i in open_rows if self.rows[i].created[0] < earliest_end]

    def run(self, placed: int, used: int, k: int, present: _Present) -> _Result:
        """The cheapest completions from this state: ``placed`` rows, ``used`` phantoms, deletes before ``k``."""
        done = k == len(self.deletes)
        # Once every delete is placed only the next rowid matters for what is left to check.
        key = (placed, used, k, (present[-1][0] if present else 0) if done else present)
        if key in self.memo:
            return self.memo[key]
        if len(self.memo) >= MAX_STATES:
            raise _TooLarge
        self.memo[key] = result = self._moves(placed, used, k, present, done)
        return result

    def _moves(self, placed: int, used: int, k: int, present: _Present, done: bool) -> _Result:
        if placed == self.all_rows and used == self.all_phantoms and done:
            return (0, 0, 0), {}
        best: _Result = None
        rowid = present[-1][0] + 1 if present else 1
        open_phantoms = [j for j, p in enumerate(self.phantoms) if not used >> j & 1 and p.rowid == rowid]
        # New rowids are always the largest, so appending keeps ``present`` sorted.
        for i in self.eligible(placed):
            row = self.rows[i]
            # A row whose insert surfaced as a phantom takes one of the phantoms with that rowid.
            for j in [None] if row.insert_at is not None else open_phantoms:
                at = row.insert_at if j is None else self.phantoms[j].at
                taken = used if j is None else used | 1 << j
                result = self.run(placed | 1 << i, taken, k, (*present, (rowid, i)))
                best = _better(best, _add(result, (0, self._overtaken(k, at), 0)))
        for j in open_phantoms:
            late = self._overtaken(k, self.phantoms[j].at)
            hidden = self.run(placed, used | 1 << j, k, (*present, (rowid, -1 - j)))
            best = _better(best, _add(hidden, (0, late, 1)))
            best = _better(best, _add(self.run(placed, used | 1 << j, k, present), (0, late, 0)))  # failed
        if not done and self._delete_ready(placed, used, k):
            target, cost, remaining = self._delete(k, present)
            best = _better(best, _with(_add(self.run(placed, used, k + 1, remaining), cost), k, target))
        return best

    def _overtaken(self, k: int, at: int | None) -> int:
        """How many deletes not yet written were pushed before this insert's event (its read came back late)."""
        return 0 if at is None else sum(1 for delete in self.deletes[k:] if delete.at < at)

    def _delete_ready(self, placed: int, used: int, k: int) -> bool:
        rows, phantoms = self.rows_before[k], self.phantoms_before[k]
        return placed & rows == rows and used & phantoms == phantoms

    def _delete(self, k: int, present: _Present) -> tuple[Target, _Cost, _Present]:
        delete = self.deletes[k]
        holder = next((h for rowid, h in present if rowid == delete.rowid), None)
        if holder is None:
            return Target("unbound"), (1, 0, 0), present
        remaining = tuple(item for item in present if item[0] != delete.rowid)
        if holder < 0:
            return Target("hidden"), (0, 0, 0), remaining
        row = self.rows[holder]
        if any(at > delete.at for at in row.shown_at):
            # Shown again after its delete: the statement failed and the row stayed.
            return Target("failed", row.key), (1, 0, 0), present
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
        result = _Search(rows, phantoms, deletes).run(0, 0, 0, ())
    except _TooLarge:
        return None
    if result is None:
        return None
    return [result[1].get(k, frozenset()) for k in range(len(deletes))]
