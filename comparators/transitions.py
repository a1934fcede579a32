"""Compare the state transitions one entity went through on two sides: missing, extra, reordered.

The sequences are short (a task: todo → inprogress → inreview → done), so an order-preserving alignment
(difflib's longest matching blocks) says which states each side lacks. A state one side lacks and the other
has at a different place is a reordering, reported once as ``order``, not as a missing plus an extra.

A side whose feed shows *lost writes* for the entity (hook firings that showed no new state, see
``event_feed``) may legitimately never have shown a state: each lost write explains one state that side
lacks, and the change is marked ``race``. A lost write can cost two states of the collapsed sequence: a
task that went ``inprogress → inreview → inprogress`` whose ``inreview`` re-read came too early shows
``inprogress`` three times, collapsed to one. So a run of states one side lacks is explained as a whole by
the hidden writes it needs: the states of the run equal to the state the lacking side showed just before
it (or just after it) were shown, only merged with it. The ``<deleted>`` pseudo-state is never explained
that way: a delete record needs no re-read, so it cannot be lost to one.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

__all__ = ["TransitionChange", "compare_transitions"]


@dataclass(frozen=True)
class TransitionChange:
    kind: Literal["missing", "extra", "order"]  # relative to the candidate: "missing" = only the primary has it
    value: Hashable
    primary_index: int | None
    candidate_index: int | None
    race: bool = False


def compare_transitions(
    primary: Sequence[Hashable],
    candidate: Sequence[Hashable],
    *,
    primary_lost: int = 0,
    candidate_lost: int = 0,
    never_lost: frozenset[Hashable] = frozenset(),
) -> list[TransitionChange]:
    """Changes that turn ``primary`` into ``candidate``; ``*_lost`` are each side's lost-write budgets."""
    if list(primary) == list(candidate):
        return []
    missing: list[tuple[int, Hashable]] = []
    extra: list[tuple[int, Hashable]] = []
    matcher = SequenceMatcher(None, list(primary), list(candidate), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            missing.extend((i, primary[i]) for i in range(i1, i2))
        if tag in ("insert", "replace"):
            extra.extend((j, candidate[j]) for j in range(j1, j2))
    changes: list[TransitionChange] = []
    for i, value in list(missing):
        moved = next((item for item in extra if item[1] == value), None)
        if moved is not None:
            extra.remove(moved)
            missing.remove((i, value))
            changes.append(TransitionChange("order", value, i, moved[0]))
    changes.extend(_lacking("missing", primary, missing, candidate_lost, never_lost))
    changes.extend(_lacking("extra", candidate, extra, primary_lost, never_lost))
    return changes


def _runs(items: list[tuple[int, Hashable]]) -> list[list[tuple[int, Hashable]]]:
    """Items at consecutive indices, grouped."""
    runs: list[list[tuple[int, Hashable]]] = []
    for item in sorted(items, key=lambda pair: pair[0]):
        if runs and runs[-1][-1][0] + 1 == item[0]:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _hidden_writes(
    run: list[tuple[int, Hashable]], sequence: Sequence[Hashable], never_lost: frozenset[Hashable]
) -> int | None:
    """The fewest lost writes that hide ``run`` (states of ``sequence`` the other side lacks) from a side that
    showed the states around it, or None if it holds a state that cannot be lost."""
    first, last = run[0][0], run[-1][0]
    before = sequence[first - 1] if first > 0 else None
    after = sequence[last + 1] if last + 1 < len(sequence) else None
    values = [value for _, value in run]
    best: int | None = None
    for split in range(len(values) + 1):
        hidden = [v for v in values[:split] if v != before] + [v for v in values[split:] if v != after]
        if not any(v in never_lost for v in hidden) and (best is None or len(hidden) < best):
            best = len(hidden)
    return best


def _lacking(
    kind: Literal["missing", "extra"],
    sequence: Sequence[Hashable],
    items: list[tuple[int, Hashable]],
    budget: int,
    never_lost: frozenset[Hashable],
) -> list[TransitionChange]:
    """Changes for the states of ``sequence`` the other side lacks, ``race`` where its lost writes explain them."""
    changes: list[TransitionChange] = []
    for run in _runs(items):
        cost = _hidden_writes(run, sequence, never_lost)
        whole = cost is not None and cost <= budget
        for index, value in run:
            race = whole or (budget > 0 and value not in never_lost)
            budget -= 0 if whole else race
            primary_index, candidate_index = (index, None) if kind == "missing" else (None, index)
            changes.append(TransitionChange(kind, value, primary_index, candidate_index, race))
        budget -= cost if whole and cost is not None else 0
    return changes
