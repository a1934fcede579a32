"""The ``GET /api/events`` change feed of one server, rebuilt into per-entity histories with its races counted.

Each feed event adds ``{"db_op": insert|update|delete, "record": {"type": T, "data": ...}}`` at
``/entries/<n>``. The server re-reads the row *after* the write, on another connection (CONTRACT §5.1,
NOISE §2-3, CONTRACT-CORRECTIONS item 34), which makes the feed lossy in known ways. This module keeps every
such trace as evidence instead of trusting the event list:

* **entity** = record type + ``data.id`` (``TASK``, ``TASK_ATTEMPT``, ``EXECUTION_PROCESS``); its full records
  in arrival order, consecutive identical records collapsed.
* **phantom insert**: ``db_op: insert`` with a ``DELETED_*`` record (``{rowid}``): the row was not readable
  yet (a race) or the statement failed (deterministic). It is paired with the next entity of that type whose
  first record arrives through a non-insert event (that entity's insert was the one lost); unpaired ones stay
  counted per type.
* **lost writes** of an entity: hook firings that showed no new state (a stale ``update`` re-reading the
  pre-write row, a late ``insert`` already showing what the next update shows, the phantom paired with it).
  They are the budget that may explain a state this side never showed.
* **deletes** carry only a rowid. Rowids are bound to entities the way SQLite assigns them (a new row gets
  the largest live rowid + 1, a paired phantom tells its rowid), which is exact for a feed read from a fresh
  server and best effort otherwise; a delete whose rowid is not bound is counted per type. A delete followed
  by a full record of the same entity was a phantom (failed statement, item 34): it is undone and counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

from comparators.patches import FINISHED, JSON_PATCH, ReplayProblem, event_location, patch_ops
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
    rowid: int | None = None
    paired_phantom: bool = False
    deleted: bool = False
    superseded_deletes: int = 0

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
    problems: list[ReplayProblem] = field(default_factory=list)
    events: int = 0
    records: int = 0
    finished: bool = False

    def of_type(self, record_type: str) -> list[EntityHistory]:
        return [entity for entity in self.entities.values() if entity.type == record_type]

    def types(self) -> list[str]:
        return list(dict.fromkeys(entity.type for entity in self.entities.values()))


class _FeedReader:
    def __init__(self) -> None:
        self.feed = EventFeed()
        self._pending_phantoms: dict[str, list[int | None]] = {}
        self._by_rowid: dict[str, dict[int, EntityHistory]] = {}
        self._max_rowid: dict[str, int] = {}
        self._per_type: Counter[str] = Counter()

    def read(self, events: list[SseEvent]) -> EventFeed:
        for index, event in enumerate(events):
            self.feed.events += 1
            if event.event == FINISHED:
                self.feed.finished = True
            elif event.event == JSON_PATCH:
                for op in patch_ops(event, index, self.feed.problems):
                    self._op(index, op)
        for record_type, rowids in self._pending_phantoms.items():
            if rowids:
                self.feed.unpaired_phantoms[record_type] += len(rowids)
        return self.feed

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
        self.feed.records += 1
        if record_type.startswith(DELETED_PREFIX):
            self._deleted_record(index, db_op, record_type[len(DELETED_PREFIX) :], data)
        elif isinstance(data.get("id"), str):
            self._full_record(db_op, record_type, record)
        else:
            self._problem(index, "feed record has no string data.id", record)

    def _full_record(self, db_op: str, record_type: str, record: dict[str, Any]) -> None:
        key = (record_type, record["data"]["id"])
        entity = self.feed.entities.get(key)
        if entity is None:
            entity = self._new_entity(db_op, record_type, key[1])
        elif entity.deleted:
            # A full record after the delete: that delete did not happen (failed statement).
            entity.deleted = False
            entity.superseded_deletes += 1
            self.feed.superseded_deletes[record_type] += 1
            if entity.rowid is not None:
                self._max_rowid[record_type] = max(self._max_rowid.get(record_type, 0), entity.rowid)
        entity.hook_events += 1
        if not entity.records or entity.records[-1] != record:
            entity.records.append(record)
        if db_op == "delete":  # not the server's shape (it sends DELETED_*), but unambiguous
            entity.deleted = True

    def _new_entity(self, db_op: str, record_type: str, entity_id: str) -> EntityHistory:
        entity = EntityHistory(record_type, entity_id, self._per_type[record_type], db_op)
        self._per_type[record_type] += 1
        self.feed.entities[(record_type, entity_id)] = entity
        pending = self._pending_phantoms.get(record_type)
        if db_op != "insert" and pending:
            # Its insert surfaced only as the oldest unpaired phantom of the type.
            entity.paired_phantom = True
            entity.hook_events += 1
            entity.rowid = pending.pop(0)
            self.feed.paired_phantoms[record_type] += 1
            taken = self._by_rowid.get(record_type, {}).get(entity.rowid) if entity.rowid is not None else None
            if taken is not None and not taken.deleted:
                # A row inserted after the phantom was given its rowid; the phantom's row was committed
                # first, so the later row really got the next one.
                self._bind(taken, self._max_rowid.get(record_type, 0) + 1)
        elif db_op == "insert":
            entity.rowid = self._max_rowid.get(record_type, 0) + 1
        if entity.rowid is not None:
            self._bind(entity, entity.rowid)
        return entity

    def _bind(self, entity: EntityHistory, rowid: int) -> None:
        entity.rowid = rowid
        self._by_rowid.setdefault(entity.type, {})[rowid] = entity
        self._max_rowid[entity.type] = max(self._max_rowid.get(entity.type, 0), rowid)

    def _deleted_record(self, index: int, db_op: str, record_type: str, data: dict[str, Any]) -> None:
        rowid = data.get("rowid")
        rowid = rowid if isinstance(rowid, int) and not isinstance(rowid, bool) else None
        entity = self._by_rowid.get(record_type, {}).get(rowid) if rowid is not None else None
        if db_op == "insert":
            self._pending_phantoms.setdefault(record_type, []).append(rowid)
        elif db_op == "update":
            self.feed.stale_deleted_reads[record_type] += 1
            if entity is not None:
                entity.hook_events += 1
        elif db_op == "delete":
            if entity is None:
                self.feed.unbound_deletes[record_type] += 1
                return
            entity.deleted = True
            if rowid == self._max_rowid.get(record_type):
                # SQLite hands out the largest *live* rowid + 1, so the next insert may reuse this one.
                live = [e.rowid for e in self._by_rowid[record_type].values() if not e.deleted and e.rowid]
                self._max_rowid[record_type] = max(live, default=0)
        else:
            self._problem(index, f"unknown db_op {db_op!r}", data)


def read_feed(events: list[SseEvent]) -> EventFeed:
    """Rebuild the entity histories of one ``/api/events`` capture (never raises on malformed input)."""
    return _FeedReader().read(events)
