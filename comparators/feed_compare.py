"""Compare two ``/api/events`` feeds by meaning: the entities each side ended with, and how they got there.

Not an event-by-event compare: the primary's own feed differs run to run (NOISE §3). The steps:

1. **Match entities across sides.** Ids differ between the two backends, so an entity is matched by a
   *match key*: the values of some fields of its first record, where ids of entities already matched are
   replaced by a shared token. Entities of a type with equal keys pair up in first-appearance order;
   entities with different keys never compete, because a feed does not show entities in creation order
   (observed: a phantom insert delays a setup process's first record past the agent's insert). Defaults
   (``DEFAULT_KEYS``): a task by its title, an attempt by its task, a process by its attempt and run reason.
   ``params["key"] = {TYPE: [field, ...]}`` overrides them per type (types are matched in that order, so a
   key may name a parent's id); a type with no key fields is matched by first-appearance order alone.
   Entities left over pair when the keys of any of their records agree (a task renamed while one side lost
   the reads that showed its first title).
   Matched entities get the token ``<TYPE/n>`` (n = the primary's ordinal), unmatched candidate ones
   ``<TYPE/candidate-n>``; ids of feed entities in the records' top-level ``data`` fields (where 0.0.71 keeps
   its references) are replaced by their tokens before ``normalize``, so references (a process's attempt)
   are compared too.
2. **Final state** of each matched pair: ``diff(normalize(p), normalize(c), "/stream/entities/<TYPE>/<n>")``
   on the last record (``{"type", "data"}``), so paths read ``/stream/entities/TASK/0/data/status``.
3. **Transitions** of each pair: the values of a status field (``DEFAULT_TRANSITIONS``, or
   ``params["transitions"] = {TYPE: field}``), then ``<deleted>``, compared by ``transitions``:
   ``.../transitions/<i>`` as ``event_missing`` / ``event_extra`` / ``transition_order``.
4. **Unmatched entities** (``/stream/entities/<TYPE>/<n>``, ``.../candidate-<n>``), differing **race
   counters** (``/stream/races/<counter>/<TYPE>``) and deletes bound to no entity (``/stream/deletes/<TYPE>``).

Races are returned, never dropped: a Diff whose ``note`` starts with ``race:`` and whose kind is
``event_missing`` / ``event_extra`` / ``stream_state`` (never structural; a final-state difference the
differ called ``type`` or ``missing`` becomes ``stream_state`` and keeps that kind in its note). A
difference is a race only when the side that lacks something shows evidence of having lost it:

* transitions one side lacks, while that side lost writes to the entity (each lost write hides one state,
  and the repeat it leaves behind, see ``transitions``);
* a final-state field whose value on a side that lost writes is one the other side's feed showed earlier
  for that field, or any final-state field when every transition difference of the pair was such a race;
* a ``<deleted>`` one side lacks, while that side's delete of the entity's rowid is ambiguous (the rowid
  may have been reused by another row, see ``rowids``);
* a whole entity one side lacks, while that side has an unpaired phantom insert of that type;
* a differing count of phantoms, superseded, ambiguous or hidden deletes, reordered or stale reads.

Everything else is reported as a plain difference.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import jsonpointer

from comparators.event_feed import DELETED, EntityHistory, EventFeed, transition_value
from comparators.patches import ReplayProblem
from comparators.result import Diff, DiffKind
from comparators.transitions import TransitionChange, compare_transitions

__all__ = ["DEFAULT_KEYS", "DEFAULT_TRANSITIONS", "RACE", "compare_feeds", "pointer_token", "problem_diffs"]

RACE = "race: "
DEFAULT_KEYS: dict[str, tuple[str, ...]] = {
    "TASK": ("title",),
    "TASK_ATTEMPT": ("task_id",),
    "EXECUTION_PROCESS": ("task_attempt_id", "run_reason"),
}
DEFAULT_TRANSITIONS: dict[str, str] = {"TASK": "status", "EXECUTION_PROCESS": "status"}

Normalize = Callable[[Any], Any]
Differ = Callable[[Any, Any, str], list[Diff]]

_COUNTER_NOTES = {
    "unpaired_phantoms": "phantom DELETED_{t} on insert never followed by the entity (failed statement or a row "
    "never re-read; CONTRACT-CORRECTIONS 34)",
    "paired_phantoms": "phantom DELETED_{t} on insert, superseded by a later full record (NOISE §2)",
    "superseded_deletes": "delete of a {t} followed by a full record of it (failed statement; CONTRACT-CORRECTIONS 34)",
    "stale_deleted_reads": "update of a {t} re-read after the row was gone",
    "ambiguous_deletes": "delete of a {t} rowid that more than one row may have held: rowids are reused and the "
    "feed's order is not the write order",
    "hidden_deletes": "delete of a {t} row whose insert surfaced only as a phantom",
    "reordered_reads": "re-read of a {t} numbered after the re-read of a later state (read resumed late)",
}


def pointer_token(text: str) -> str:
    return text.replace("~", "~0").replace("/", "~1")


def _rewrite(record: dict[str, Any], tokens: Mapping[str, str]) -> dict[str, Any]:
    """The record with ids of feed entities replaced by their tokens. Only top-level ``data`` fields are
    looked at: that is where 0.0.71's records carry references (``id``, ``task_id``, ``task_attempt_id``,
    ``parent_task_attempt``), and walking ``executor_action`` chains would double the cost of a compare."""
    data = record.get("data")
    if not isinstance(data, dict):
        return record
    rewritten = {key: tokens.get(value, value) if isinstance(value, str) else value for key, value in data.items()}
    return {**record, "data": rewritten}


def _match_key(record: dict[str, Any], fields: Sequence[str], tokens: Mapping[str, str]) -> Hashable:
    data = record.get("data", {})
    values = (data.get(name) for name in fields)
    return tuple(transition_value(tokens.get(v, v) if isinstance(v, str) else v) for v in values)


def _match_keys(entity: EntityHistory, fields: Sequence[str], tokens: Mapping[str, str]) -> list[Hashable]:
    """The match key of each of the entity's records, first record first."""
    return list(dict.fromkeys(_match_key(record, fields, tokens) for record in entity.records))


class _FeedComparison:
    def __init__(
        self,
        primary: EventFeed,
        candidate: EventFeed,
        keys: Mapping[str, Sequence[str]],
        transitions: Mapping[str, str],
        normalize: Normalize,
        diff: Differ,
    ) -> None:
        self.p, self.c = primary, candidate
        self.keys, self.fields = keys, transitions
        self.normalize, self.diff = normalize, diff
        self.p_tokens: dict[str, str] = {}
        self.c_tokens: dict[str, str] = {}
        self.pairs: list[tuple[EntityHistory, EntityHistory]] = []
        self.p_only: list[EntityHistory] = []
        self.c_only: list[EntityHistory] = []
        self.diffs: list[Diff] = []

    def run(self) -> list[Diff]:
        types = list(dict.fromkeys([*self.keys, *self.p.types(), *self.c.types()]))
        for record_type in types:
            self._match_type(record_type)
        for p, c in self.pairs:
            self._compare_pair(p, c)
        self._unmatched()
        self._counters()
        self.diffs.extend(problem_diffs(self.p.problems, self.c.problems))
        return self.diffs

    def _match_type(self, record_type: str) -> None:
        # Entities with equal match keys pair up in first-appearance order; different keys never compete,
        # so a feed that shows one process before another (out-of-order re-reads) still pairs them right.
        # Keys are computed before this type's own tokens exist, the same way on both sides.
        fields = self.keys.get(record_type, ())
        waiting: dict[Hashable, list[EntityHistory]] = {}
        for entity in self.c.of_type(record_type):
            waiting.setdefault(_match_key(entity.records[0], fields, self.c_tokens), []).append(entity)
        unmatched: list[EntityHistory] = []
        for entity, key in [(e, _match_key(e.records[0], fields, self.p_tokens)) for e in self.p.of_type(record_type)]:
            self.p_tokens[entity.id] = f"<{record_type}/{entity.ordinal}>"
            partners = waiting.get(key)
            if partners:
                self._pair(entity, partners.pop(0))
            else:
                unmatched.append(entity)
        rest = sorted((e for es in waiting.values() for e in es), key=lambda entity: entity.ordinal)
        # A key field that changed (a renamed task) leaves the first record of one side showing the new
        # value when its earlier reads were lost: such entities still pair through any record's key. Every
        # key is computed without this type's own tokens, on both sides.
        untokened = {entity.id for entity in unmatched}
        p_tokens = {k: v for k, v in self.p_tokens.items() if k not in untokened} if rest else self.p_tokens
        c_keys = {c.id: set(_match_keys(c, fields, self.c_tokens)) for c in rest} if unmatched else {}
        for entity in unmatched:
            keys = set(_match_keys(entity, fields, p_tokens))
            partner = next((c for c in rest if keys & c_keys[c.id]), None)
            if partner is None:
                self.p_only.append(entity)
            else:
                rest.remove(partner)
                self._pair(entity, partner)
        for entity in rest:
            self.c_tokens[entity.id] = f"<{record_type}/candidate-{entity.ordinal}>"
            self.c_only.append(entity)

    def _pair(self, p: EntityHistory, c: EntityHistory) -> None:
        self.c_tokens[c.id] = self.p_tokens[p.id]
        self.pairs.append((p, c))

    def _state(self, record: dict[str, Any], tokens: Mapping[str, str]) -> Any:
        return self.normalize(_rewrite(record, tokens))

    def _compare_pair(self, p: EntityHistory, c: EntityHistory) -> None:
        base = f"/stream/entities/{pointer_token(p.type)}/{p.ordinal}"
        field_name = self.fields.get(p.type)
        p_seq, c_seq = p.transitions(field_name), c.transitions(field_name)
        changes = compare_transitions(
            p_seq, c_seq, primary_lost=p.lost_writes, candidate_lost=c.lost_writes, never_lost=frozenset({DELETED})
        )
        p_final, c_final = self._state(p.final, self.p_tokens), self._state(c.final, self.c_tokens)
        state_diffs = self.diff(p_final, c_final, base)
        if state_diffs:
            all_race = bool(changes) and all(change.race for change in changes)
            stale = _StaleEvidence(self, p, c, p_final, c_final, base)
            self.diffs.extend(stale.classify(d, all_race) for d in state_diffs)
        for change in changes:
            # A delete of a reused rowid that may have removed this entity or another one: not shown either way.
            lacking = c if change.kind == "missing" else p
            ambiguous = change.value == DELETED and change.kind != "order" and lacking.maybe_deleted
            self.diffs.append(self._transition_diff(base, change, p_seq, c_seq, ambiguous=ambiguous))

    @staticmethod
    def _transition_diff(
        base: str, change: TransitionChange, p_seq: list[Any], c_seq: list[Any], *, ambiguous: bool
    ) -> Diff:
        if change.kind == "order":
            return Diff(
                path=f"{base}/transitions/{change.primary_index}",
                kind=DiffKind.TRANSITION_ORDER,
                primary=p_seq,
                candidate=c_seq,
                note=f"{change.value!r} reached in another order",
            )
        missing = change.kind == "missing"
        lacking = "candidate" if missing else "primary"
        note = f"{RACE}stale read: the {lacking} feed lost writes to this entity" if change.race else None
        if ambiguous:
            note = f"{RACE}ambiguous delete: the {lacking} feed's delete of this rowid may have removed another row"
        return Diff(
            path=f"{base}/transitions/{change.primary_index if missing else change.candidate_index}",
            kind=DiffKind.EVENT_MISSING if missing else DiffKind.EVENT_EXTRA,
            primary=change.value if missing else None,
            candidate=None if missing else change.value,
            note=note,
        )

    def _unmatched(self) -> None:
        budget = {"primary": Counter(self.p.unpaired_phantoms), "candidate": Counter(self.c.unpaired_phantoms)}
        for entity, side, tokens in [
            *((e, "primary", self.p_tokens) for e in self.p_only),
            *((e, "candidate", self.c_tokens) for e in self.c_only),
        ]:
            lacking = "candidate" if side == "primary" else "primary"
            race = budget[lacking][entity.type] > 0
            budget[lacking][entity.type] -= race
            state = self._state(entity.final, tokens)
            index = entity.ordinal if side == "primary" else f"candidate-{entity.ordinal}"
            self.diffs.append(
                Diff(
                    path=f"/stream/entities/{pointer_token(entity.type)}/{index}",
                    kind=DiffKind.EVENT_MISSING if side == "primary" else DiffKind.EVENT_EXTRA,
                    primary=state if side == "primary" else None,
                    candidate=state if side == "candidate" else None,
                    note=f"{RACE}the {lacking} feed shows this type's insert only as a phantom DELETED_{entity.type}"
                    if race
                    else f"entity only in the {side} feed",
                )
            )

    def _counters(self) -> None:
        for counter, template in _COUNTER_NOTES.items():
            p_counts: Counter[str] = getattr(self.p, counter)
            c_counts: Counter[str] = getattr(self.c, counter)
            for record_type in sorted(set(p_counts) | set(c_counts)):
                self._count_diff(
                    f"/stream/races/{counter}/{pointer_token(record_type)}",
                    p_counts[record_type],
                    c_counts[record_type],
                    RACE + template.format(t=record_type),
                )
        for record_type in sorted(set(self.p.unbound_deletes) | set(self.c.unbound_deletes)):
            self._count_diff(
                f"/stream/deletes/{pointer_token(record_type)}",
                self.p.unbound_deletes[record_type],
                self.c.unbound_deletes[record_type],
                "deletes whose rowid matches no entity of the feed",
            )

    def _count_diff(self, path: str, primary: int, candidate: int, note: str) -> None:
        if primary != candidate:
            kind = DiffKind.EVENT_MISSING if primary > candidate else DiffKind.EVENT_EXTRA
            self.diffs.append(Diff(path=path, kind=kind, primary=primary, candidate=candidate, note=note))


_ABSENT = object()


def _at(document: Any, pointer: str) -> Any:
    try:
        return jsonpointer.resolve_pointer(document, pointer)
    except (jsonpointer.JsonPointerException, TypeError, KeyError, IndexError):
        return _ABSENT


def _stale(own: list[Any], other: list[Any]) -> bool:
    """``own`` (a field's values on a side that lost writes) ends behind ``other``: its last value is one the
    other side showed before its last, or it never changed while the other side ended elsewhere."""
    last = own[-1]
    if last in other[:-1]:
        return True
    return all(value == last for value in own) and other[-1] not in own


class _StaleEvidence:
    """Decides whether a difference in the final state of a matched pair is explained by a stale read.

    A field differs because of a stale read when the side showing it (X) lost writes to the entity and
    either shows a value the other side's feed showed earlier for that field (X is behind), or never showed
    that field change at all while the other side shows a value X never had (the write that changed it is
    one X lost; observed when both feeds lost the entity's early records to phantoms). Independently, when
    both sides' transitions differ only through lost writes, every final-state difference of the pair is
    put down to them (each side missed what the other showed last)."""

    def __init__(
        self, comparison: _FeedComparison, p: EntityHistory, c: EntityHistory, p_final: Any, c_final: Any, base: str
    ) -> None:
        self.comparison, self.p, self.c = comparison, p, c
        self.p_final, self.c_final, self.base = p_final, c_final, base
        self._history: dict[str, list[Any]] = {}

    def history(self, side: str) -> list[Any]:
        """Every record of that side's entity, normalized (the last one is the final state)."""
        # Normalized only when needed: most pairs have no difference at all.
        if side not in self._history:
            entity, tokens = (
                (self.p, self.comparison.p_tokens) if side == "primary" else (self.c, self.comparison.c_tokens)
            )
            self._history[side] = [self.comparison._state(record, tokens) for record in entity.records]
        return self._history[side]

    def behind(self, path: str) -> str | None:
        if not path.startswith(self.base):
            return None
        pointer = path[len(self.base) :]
        p_values = [_at(state, pointer) for state in self.history("primary")]
        c_values = [_at(state, pointer) for state in self.history("candidate")]
        if self.p.lost_writes and _stale(p_values, c_values):
            return "primary"
        if self.c.lost_writes and _stale(c_values, p_values):
            return "candidate"
        return None

    def classify(self, diff: Diff, all_transitions_race: bool) -> Diff:
        behind = self.behind(diff.path)
        if behind:
            note = f"{RACE}stale read: the {behind} feed lost writes and shows an earlier value of this field"
        elif all_transitions_race:
            note = f"{RACE}stale read: both feeds lost writes; the transitions differ only by those"
        else:
            return diff
        return Diff(
            path=diff.path,
            kind=DiffKind.STREAM_STATE,
            primary=diff.primary,
            candidate=diff.candidate,
            note=f"{note} ({diff.kind.value})",
        )


def problem_diffs(primary: Sequence[ReplayProblem], candidate: Sequence[ReplayProblem]) -> list[Diff]:
    """A malformed part of one stream, as a ``stream_state`` Diff. The same fault sent by both sides is parity
    (both servers behave alike) and is not reported."""
    diffs: list[Diff] = []
    for side, own, other in (("primary", primary, candidate), ("candidate", candidate, primary)):
        for problem in own:
            if any(problem.same_fault(theirs) for theirs in other):
                continue
            diffs.append(
                Diff(
                    path=problem.location,
                    kind=DiffKind.STREAM_STATE,
                    primary=problem.data if side == "primary" else None,
                    candidate=problem.data if side == "candidate" else None,
                    note=f"malformed {side} stream: {problem.message}",
                )
            )
    return diffs


def compare_feeds(
    primary: EventFeed,
    candidate: EventFeed,
    *,
    normalize: Normalize,
    diff: Differ,
    keys: Mapping[str, Sequence[str]] | None = None,
    transitions: Mapping[str, str] | None = None,
) -> list[Diff]:
    return _FeedComparison(
        primary,
        candidate,
        DEFAULT_KEYS if keys is None else keys,
        DEFAULT_TRANSITIONS if transitions is None else transitions,
        normalize,
        diff,
    ).run()
