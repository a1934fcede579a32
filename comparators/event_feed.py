"""The ``GET /api/events`` change feed of one server, rebuilt into per-entity histories with its races counted.

Each feed event adds ``{"db_op": insert|update|delete, "record": {"type": T, "data": ...}}`` at
``/entries/<n>``. The server re-reads the row *after* the write, on another task, and numbers the event when
that read returns (CONTRACT §5.1, NOISE §2-3, CONTRACT-CORRECTIONS item 34), which makes the feed lossy and
out of order in known ways. This module keeps every such trace as evidence instead of trusting the event list:

* **entity** = record type + ``data.id`` (``TASK``, ``TASK_ATTEMPT``, ``EXECUTION_PROCESS``); its full records
  in the order of the states they show (``read_order``: a read that resumed late is put back where its
  timestamps say it belongs, and counted as a reordered read), consecutive identical records collapsed.
* **phantom insert**: ``db_op: insert`` with a ``DELETED_*`` record (``{rowid}``): the row was not readable
  yet (a race) or the statement failed (deterministic). It is paired with an entity of that type that has no
  ``insert`` record of its own (that entity's insert was the one lost): first a phantom pushed before the
  entity's first record (the latest such one), then, for a phantom whose read resumed late, any
  one left. Unpaired ones stay counted per type.
* **lost writes** of an entity: hook firings that showed no new state (a stale ``update`` re-reading the
  pre-write row, a late ``insert`` already showing what the next update shows, the phantom paired with it).
  They are the budget that may explain a state this side never showed.
* **deletes** carry only a rowid. Which row held it follows from SQLite's rowid assignment replayed over
  every order of the writes the feed allows (``rowids``): a delete bound to one entity ends its history
  (``<deleted>``); one that more than one row may have held is *ambiguous* (its entities are marked
  ``maybe_deleted``, no transition is invented); one bound to a row the feed never showed is *hidden*; one
  naming a row shown again afterwards failed (CONTRACT-CORRECTIONS 34) and is *superseded*; one naming no row
  is *unbound*. When the rowids cannot be modelled (a feed not read from a fresh server, or too many writes
  to explore), every delete of that type is counted as unbound: the comparator then compares their numbers.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

from comparators.patches import FINISHED, JSON_PATCH, ReplayProblem, event_location, patch_ops
from comparators.read_order import order_reads, write_time
from comparators.rowids import Delete, Phantom, Row, Target, solve
from comparators.sse import SseEvent

__all__ = ["DELETED", "DELETED_PREFIX", "EntityHistory", "EventFeed", "read_feed", "transition_value"]

DELETED_PREFIX = "DELETED_"
DELETED = "<deleted>"  # the pseudo-state that ends the transitions of a deleted entity


@dataclass
class EntityHistory:
    type: str
    id: str
    ordinal: int  # position among this side's entities of the same type, by first appearance
    first_db_op: str
    records: list[dict[str, Any]] = field(default_factory=list)  # distinct consecutive records
    hook_events: int = 0  # feed events attributed to this entity (full records, paired phantom, stale reads)
    rowid: int | None = None  # as the feed tells it: the paired phantom's, or the delete's that bound it
    paired_phantom: bool = False
    deleted: bool = False
    maybe_deleted: bool = False  # an ambiguous delete may have removed it (rowid reuse)
    superseded_deletes: int = 0
    reordered_reads: int = 0

    @property
    def final(self) -> dict[str, Any]:
        return self.records[-1]

    @property
    def lost_writes(self) -> int:
        return self.hook_events - len(self.records)

    def transitions(self, field_name: str | None) -> list[Any]:
        """The values ``data[field_name]`` went through, consecutive repeats collapsed, then ``<deleted>``."""
        values: list[Any] = []
        if field_name is not None:
            for record in self.records:
                value = transition_value(record.get("data", {}).get(field_name))
                if not values or values[-1] != value:
                    values.append(value)
        if self.deleted:
            values.append(DELETED)
        return values


def transition_value(value: Any) -> Any:
    # Transition values are compared as sequence items, so they must be hashable.
    if isinstance(value, dict | list):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    return value


@dataclass
class EventFeed:
    entities: dict[tuple[str, str], EntityHistory] = field(default_factory=dict)  # first-appearance order
    paired_phantoms: Counter[str] = field(default_factory=Counter)
    unpaired_phantoms: Counter[str] = field(default_factory=Counter)
    stale_deleted_reads: Counter[str] = field(default_factory=Counter)  # update re-read a row already gone
    superseded_deletes: Counter[str] = field(default_factory=Counter)
    unbound_deletes: Counter[str] = field(default_factory=Counter)
    ambiguous_deletes: Counter[str] = field(default_factory=Counter)
    hidden_deletes: Counter[str] = field(default_factory=Counter)
    reordered_reads: Counter[str] = field(default_factory=Counter)
    problems: list[ReplayProblem] = field(default_factory=list)
    events: int = 0
    records: int = 0
    finished: bool = False

    def of_type(self, record_type: str) -> list[EntityHistory]:
        return [entity for entity in self.entities.values() if entity.type == record_type]

    def types(self) -> list[str]:
        return list(dict.fromkeys(entity.type for entity in self.entities.values()))


class _Reads:
    """One entity's full records as the feed numbered them: their positions, which were inserts, the records.
    Positions and flags are kept in untracked containers (an array, a string): a feed has many records, and
    every tracked container makes the garbage collector's passes over the parsed feed longer."""

    __slots__ = ("at", "inserts", "records")

    def __init__(self) -> None:
        self.at = array("q")
        self.inserts = ""  # "i" for an insert, "-" for anything else, one per record
        self.records: list[dict[str, Any]] = []

    def insert_at(self) -> int | None:
        found = self.inserts.find("i")
        return None if found < 0 else self.at[found]

    def db_ops(self) -> list[str]:
        return ["insert" if flag == "i" else "update" for flag in self.inserts]


class _FeedReader:
    def __init__(self) -> None:
        self.feed = EventFeed()
        self._reads: dict[tuple[str, str], _Reads] = {}
        self._paired: dict[tuple[str, str], Phantom] = {}
        # DELETED_* records by type, as (position, rowid): insert (phantoms), delete, update (the re-read found
        # the row gone).
        self._deleted: dict[str, dict[str, list[tuple[int, int]]]] = {"insert": {}, "delete": {}, "update": {}}
        self._bound: dict[Delete, frozenset[Target]] = {}
        self._per_type: Counter[str] = Counter()

    def read(self, events: list[SseEvent]) -> EventFeed:
        for index, event in enumerate(events):
            self.feed.events += 1
            if event.event == FINISHED:
                self.feed.finished = True
            elif event.event == JSON_PATCH:
                for op in patch_ops(event, index, self.feed.problems):
                    self._op(index, op)
        for key, reads in self._reads.items():
            self._history(self.feed.entities[key], reads)
        for record_type in dict.fromkeys([*self._deleted["insert"], *(key[0] for key in self._reads)]):
            self._pair(record_type)
        for record_type, marks in self._deleted["delete"].items():
            self._bind_deletes(record_type, [Delete(at, rowid) for at, rowid in marks])
        for record_type, marks in self._deleted["update"].items():
            self._attribute_stale_reads(record_type, marks)
        return self.feed

    def _phantoms(self, record_type: str) -> list[Phantom]:
        return [Phantom(at, rowid) for at, rowid in self._deleted["insert"].get(record_type, [])]

    def _problem(self, index: int, message: str, data: Any) -> None:
        text = data if isinstance(data, str) else orjson.dumps(data, default=repr).decode()
        self.feed.problems.append(ReplayProblem(event_location(index), message, text[:200]))

    def _op(self, index: int, op: Any) -> None:
        if not isinstance(op, dict) or op.get("op") not in ("add", "replace"):
            self._problem(index, "feed op is not an add/replace", op)
            return
        value = op.get("value")
        record = value.get("record") if isinstance(value, dict) else None
        db_op = value.get("db_op") if isinstance(value, dict) else None
        if not isinstance(record, dict) or not isinstance(db_op, str):
            self._problem(index, "feed value lacks db_op/record", value)
            return
        record_type, data = record.get("type"), record.get("data")
        if not isinstance(record_type, str) or not isinstance(data, dict):
            self._problem(index, "feed record lacks type/data", record)
            return
        position = self.feed.records
        self.feed.records += 1
        if record_type.startswith(DELETED_PREFIX):
            self._deleted_record(index, position, db_op, record_type[len(DELETED_PREFIX) :], data)
        elif isinstance(data.get("id"), str):
            self._full_record(position, db_op, record_type, record)
        else:
            self._problem(index, "feed record has no string data.id", record)

    def _full_record(self, position: int, db_op: str, record_type: str, record: dict[str, Any]) -> None:
        key = (record_type, record["data"]["id"])
        if key not in self.feed.entities:
            entity = EntityHistory(record_type, key[1], self._per_type[record_type], db_op)
            self._per_type[record_type] += 1
            self.feed.entities[key] = entity
            self._reads[key] = _Reads()
        reads = self._reads[key]
        reads.at.append(position)
        reads.inserts += "i" if db_op == "insert" else "-"
        reads.records.append(record)
        if db_op == "delete":  # not the server's shape (it sends DELETED_*), but unambiguous
            self.feed.entities[key].deleted = True

    def _deleted_record(self, index: int, position: int, db_op: str, record_type: str, data: dict[str, Any]) -> None:
        rowid = data.get("rowid")
        if not isinstance(rowid, int) or isinstance(rowid, bool):
            self._problem(index, "DELETED_* record has no integer rowid", data)
            return
        if db_op not in self._deleted:
            self._problem(index, f"unknown db_op {db_op!r}", data)
            return
        self._deleted[db_op].setdefault(record_type, []).append((position, rowid))

    def _history(self, entity: EntityHistory, reads: _Reads) -> None:
        if len(reads.records) == 1:  # most entities of a long feed: nothing to order
            entity.records.append(reads.records[0])
            entity.hook_events += 1
            return
        ordered, moved = order_reads(reads.db_ops(), reads.records)
        for record in ordered:
            if not entity.records or entity.records[-1] != record:
                entity.records.append(record)
        entity.hook_events += len(ordered)
        if moved:
            entity.reordered_reads = moved
            self.feed.reordered_reads[entity.type] += moved

    def _pair(self, record_type: str) -> None:
        """Phantom inserts to the entities whose own insert they were (see the module docstring)."""
        left = self._phantoms(record_type)
        waiting = [
            (key, reads) for key, reads in self._reads.items() if key[0] == record_type and reads.insert_at() is None
        ]
        for late in (False, True):
            for key, reads in waiting:
                if key in self._paired:
                    continue
                # The latest phantom before the entity's first record is the likeliest to be its insert (any
                # works for the count); one numbered after it is a read that resumed late.
                first = reads.at[0]
                before = [p for p in left if p.at < first]
                phantom = (left[0] if left else None) if late else (before[-1] if before else None)
                if phantom is not None:
                    left.remove(phantom)
                    self._paired[key] = phantom
                    entity = self.feed.entities[key]
                    entity.paired_phantom, entity.rowid = True, phantom.rowid
                    entity.hook_events += 1
                    self.feed.paired_phantoms[record_type] += 1
        if left:
            self.feed.unpaired_phantoms[record_type] += len(left)

    def _rows(self, record_type: str) -> list[Row]:
        keyed = [(key, reads) for key, reads in self._reads.items() if key[0] == record_type]
        created = [write_time({"created_at": reads.records[0]["data"].get("created_at")}) for _, reads in keyed]
        rows = []
        for (key, reads), when in zip(keyed, created, strict=True):
            if all(c is not None for c in created) and when is not None:
                order = (when.low, when.high)
            else:  # no creation time: the feed order of the insert events
                at = reads.insert_at()
                phantom = self._paired.get(key)
                at = at if at is not None else phantom.at if phantom else reads.at[0]
                order = (at, at + 1)
            rows.append(Row(key, order, reads.insert_at(), reads.at[0], tuple(reads.at)))
        return rows

    def _bind_deletes(self, record_type: str, deletes: list[Delete]) -> None:
        solved = solve(self._rows(record_type), self._phantoms(record_type), deletes)
        if solved is None:
            self.feed.unbound_deletes[record_type] += len(deletes)
            return
        for delete, targets in zip(deletes, solved, strict=True):
            (only,) = targets if len(targets) == 1 else (None,)
            if only is None:
                self.feed.ambiguous_deletes[record_type] += 1
                for target in targets:
                    if target.kind == "deleted":
                        self.feed.entities[target.row].maybe_deleted = True  # type: ignore[index]
            elif only.kind in ("deleted", "failed"):
                entity = self.feed.entities[only.row]  # type: ignore[index]
                entity.rowid = delete.rowid
                if only.kind == "deleted":
                    entity.deleted = True
                else:
                    entity.superseded_deletes += 1
                    self.feed.superseded_deletes[record_type] += 1
            else:
                counter = self.feed.hidden_deletes if only.kind == "hidden" else self.feed.unbound_deletes
                counter[record_type] += 1
        self._bound.update(zip(deletes, solved, strict=True))

    def _attribute_stale_reads(self, record_type: str, reads: list[tuple[int, int]]) -> None:
        """An update that re-read a row already gone is a lost write of the row the last earlier delete of
        that rowid removed, when that is known."""
        deletes = self._deleted["delete"].get(record_type, [])
        for read_at, rowid in reads:
            self.feed.stale_deleted_reads[record_type] += 1
            earlier = [Delete(at, r) for at, r in deletes if r == rowid and at < read_at]
            bound = self._bound.get(earlier[-1], frozenset()) if earlier else frozenset()
            (only,) = bound if len(bound) == 1 else (None,)
            if only is not None and only.row is not None:
                self.feed.entities[only.row].hook_events += 1  # type: ignore[index]


def read_feed(events: list[SseEvent]) -> EventFeed:
    """Rebuild the entity histories of one ``/api/events`` capture (never raises on malformed input)."""
    return _FeedReader().read(events)
