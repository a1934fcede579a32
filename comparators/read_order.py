"""Which of two re-reads of one row shows the older state, from the timestamps the row carries.

The server fires its update hook during a write, re-reads the row on another task, and numbers the event
only *after* that read returns (0.0.71 ``services/events.rs``: ``find_by_rowid`` first, then the
``entry_count`` lock, then the push). A read that resumes late is therefore numbered after the read of a
*later* state of the same row: the feed shows the newer state, then the older one (observed on a loaded
machine: a process's ``insert`` record arriving after its ``update`` record). Such a pair is put back in
the order of the states it shows, when the row's own timestamps prove that order:

* every write of these rows stamps a time (a status change ``updated_at``, a completion ``completed_at``,
  an attempt's worktree and branch ``updated_at``) and none clears one, so the latest timestamp a record
  carries is when its state was written, to the printed precision: a value printed in whole seconds
  (SQLite's ``datetime('now')``) stands for any time in that second;
* a read is assumed to resume late by at most ``MAX_READ_DELAY_NS``, so only two writes that are certainly
  that close are reordered. A swap across a longer gap is not a race of the feed but a finding (the e2e
  detection test plants one: two task states written seconds apart, swapped). Whole-second stamps always
  leave more than a second of doubt, so they never reorder anything.

One more order is certain whatever the timestamps: a row's insert fires the hook before any of its updates.
An ``insert`` record numbered after records of its row whose state is the *initial* one (every timestamp
it carries is its ``created_at``) was read early and numbered late, so it goes first. An ``insert`` record
showing a later state was read late and stays where it is, like any other read.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

__all__ = ["MAX_READ_DELAY_NS", "STAMP_FIELDS", "WriteTime", "order_reads", "write_time"]

MAX_READ_DELAY_NS = 1_000_000_000
# Every timestamp of 0.0.71's TASK, TASK_ATTEMPT and EXECUTION_PROCESS rows (CONTRACT §2).
STAMP_FIELDS = ("created_at", "updated_at", "started_at", "completed_at", "setup_completed_at")

# chrono's AutoSi with ``Z`` (``timestamps``): 0, 3, 6 or 9 fraction digits. Parsed here into integer ns,
# because ``datetime`` keeps microseconds only; cached, because a feed repeats its stamps.
_AUTOSI = re.compile(r"(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.(\d{9}|\d{6}|\d{3}))?Z", re.ASCII)
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class WriteTime:
    """A time known to lie in ``[low, high)`` (ns since the epoch)."""

    low: int
    high: int

    def certainly_before(self, other: WriteTime) -> bool:
        return self.high <= other.low


@lru_cache(maxsize=1024)
def _day_ns(day: str) -> int | None:
    try:
        return (date.fromisoformat(day) - _EPOCH).days * 86_400 * 10**9
    except ValueError:  # month 13, February 30
        return None


@lru_cache(maxsize=8192)
def _parse(value: str) -> WriteTime | None:
    found = _AUTOSI.fullmatch(value)
    day = _day_ns(found[1]) if found else None
    if found is None or day is None:
        return None
    fraction = found[5] or ""
    low = day + ((int(found[2]) * 60 + int(found[3])) * 60 + int(found[4])) * 10**9
    low += int(fraction.ljust(9, "0")) if fraction else 0
    return WriteTime(low, low + 10 ** (9 - len(fraction)))


def _stamps(data: Mapping[str, Any]) -> list[tuple[str, WriteTime]]:
    """The timestamps of a record (``STAMP_FIELDS``: looking them up by name keeps this cheap, and it runs
    for every record of a feed)."""
    stamps = []
    for name in STAMP_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            when = _parse(value)
            if when is not None:
                stamps.append((value, when))
    return stamps


def write_time(data: Mapping[str, Any]) -> WriteTime | None:
    """When the state in ``data`` (a record's top-level fields) was written: its latest timestamp."""
    latest: WriteTime | None = None
    for _, when in _stamps(data):
        if latest is None:
            latest = when
        elif when.low > latest.low or when.high > latest.high:
            # Stamps of one record rarely overlap; when they do, keep the interval that covers both ends.
            latest = WriteTime(max(when.low, latest.low), max(when.high, latest.high))
    return latest


def _shows_older(later: WriteTime | None, earlier: WriteTime | None) -> bool:
    """The record read later shows a state written certainly before, and certainly within the delay of,
    the one read earlier."""
    if later is None or earlier is None:
        return False
    return later.certainly_before(earlier) and earlier.high - later.low <= MAX_READ_DELAY_NS


def _initial(data: Mapping[str, Any]) -> bool:
    """The row as its insert wrote it: every timestamp it carries is its ``created_at``."""
    stamps = _stamps(data)
    return bool(stamps) and all(value == data.get("created_at") for value, _ in stamps)


def order_reads(db_ops: Sequence[str], records: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """``records`` (one row's records in feed order, each read for a write of kind ``db_ops[i]``) in the order
    of the states they show, and how many moved. Stable: only records whose place is proven (see the module
    docstring) move."""
    times = [write_time(record.get("data") or {}) for record in records]
    late_insert = any(db_op == "insert" for db_op in db_ops[1:])
    if not late_insert and not any(_shows_older(t, before) for before, t in itertools.pairwise(times)):
        return list(records), 0  # the common case: numbered in order
    ordered: list[dict[str, Any]] = []
    placed: list[WriteTime | None] = []
    moved = 0
    for db_op, record, when in zip(db_ops, records, times, strict=True):
        if db_op == "insert" and ordered and _initial(record.get("data") or {}):
            at = 0
        else:
            at = len(ordered)
            while at > 0 and _shows_older(when, placed[at - 1]):
                at -= 1
        moved += at < len(ordered)
        ordered.insert(at, record)
        placed.insert(at, when)
    return ordered, moved
