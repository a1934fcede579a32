"""Compare the state transitions one entity went through on two sides: missing, extra, reordered.

The sequences are short (a task: todo → inprogress → inreview → done), so an order-preserving alignment
(difflib's longest matching blocks) says which states each side lacks. A state one side lacks and the other
has at a different place is a reordering, reported once as ``order``, not as a missing plus an extra.

A side whose feed shows *lost writes* for the entity (hook firings that showed no new state, see
``event_feed``) may legitimately never have shown a state: each lost write explains one state that side
lacks, and the change is marked ``race``. The ``<deleted>`` pseudo-state is never explained that way: a
delete record needs no re-read, so it cannot be lost to one.
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
    for i, value in missing:
        race = candidate_lost > 0 and value not in never_lost
        candidate_lost -= race
        changes.append(TransitionChange("missing", value, i, None, race))
    for j, value in extra:
        race = primary_lost > 0 and value not in never_lost
        primary_lost -= race
        changes.append(TransitionChange("extra", value, None, j, race))
    return changes
