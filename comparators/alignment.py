"""Pair the exchanges of two independent recordings of the same workload.

Two captures (one per backend) do not line up entry by entry: clients poll until a state changes, so the
number of repeats differs, and a backend may answer some requests the other never saw. Pairing rules:

* **By request id** when both sides carry ids (the workload's ``x-parity-request-id``): equal ids pair. An
  id repeated on one side is a poll: its **last** occurrence is the one compared (the state the poll waited
  for), the earlier ones are *poll repeats*: not compared and not counted as exchanges. An id present on
  one side only is unpaired.
* **By order** otherwise (and for entries without an id): an order-preserving alignment
  (``difflib.SequenceMatcher``, no junk heuristic) on the key *method + route template + normalized request
  body*. Consecutive identical GETs are treated as polls the same way. Whatever the alignment leaves over
  is unpaired, with its side.

Pure: no I/O. The caller computes the keys (``comparators.compare.normalize_request`` gives the canonical
request: method, route template, normalized parameters, query and body, with each side's ids and
directories masked).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = ["AlignItem", "Alignment", "Side", "Unpaired", "align"]


class Side(StrEnum):
    PRIMARY = "primary"
    CANDIDATE = "candidate"


class AlignItem(BaseModel):
    """What alignment needs of one recorded exchange."""

    model_config = ConfigDict(frozen=True)

    key: str
    request_id: str | None = None
    method: str = "GET"


class Unpaired(BaseModel):
    model_config = ConfigDict(frozen=True)

    side: Side
    index: int
    reason: str


class Alignment(BaseModel):
    """``pairs`` are (primary index, candidate index) in primary order."""

    model_config = ConfigDict(frozen=True)

    pairs: tuple[tuple[int, int], ...] = ()
    poll_repeats: tuple[tuple[Side, int], ...] = ()
    unpaired: tuple[Unpaired, ...] = ()
    by_request_id: bool = False

    def unpaired_counts(self) -> dict[str, int]:
        return {side.value: sum(1 for u in self.unpaired if u.side is side) for side in Side}

    def poll_repeat_counts(self) -> dict[str, int]:
        return {side.value: sum(1 for s, _ in self.poll_repeats if s is side) for side in Side}


def align(primary: Sequence[AlignItem], candidate: Sequence[AlignItem]) -> Alignment:
    """Pair ``primary`` with ``candidate`` (see the module docstring for the rules)."""
    by_id = any(item.request_id for item in primary) and any(item.request_id for item in candidate)
    pairs: list[tuple[int, int]] = []
    repeats: list[tuple[Side, int]] = []
    unpaired: list[Unpaired] = []
    if by_id:
        p_last, p_rest = _last_by_id(primary, Side.PRIMARY, repeats)
        c_last, c_rest = _last_by_id(candidate, Side.CANDIDATE, repeats)
        for request_id, p_index in p_last.items():
            if request_id in c_last:
                pairs.append((p_index, c_last[request_id]))
            else:
                unpaired.append(Unpaired(side=Side.PRIMARY, index=p_index, reason=f"request id {request_id} only here"))
        for request_id, c_index in c_last.items():
            if request_id not in p_last:
                unpaired.append(
                    Unpaired(side=Side.CANDIDATE, index=c_index, reason=f"request id {request_id} only here")
                )
    else:
        p_rest, c_rest = list(range(len(primary))), list(range(len(candidate)))
    _align_by_order(primary, candidate, p_rest, c_rest, pairs, repeats, unpaired)
    return Alignment(
        pairs=tuple(sorted(pairs)),
        poll_repeats=tuple(sorted(repeats, key=lambda r: (r[0].value, r[1]))),
        unpaired=tuple(sorted(unpaired, key=lambda u: (u.side.value, u.index))),
        by_request_id=by_id,
    )


def _last_by_id(
    items: Sequence[AlignItem], side: Side, repeats: list[tuple[Side, int]]
) -> tuple[dict[str, int], list[int]]:
    """Last index per request id (earlier ones go to ``repeats``), and the indices without an id."""
    last: dict[str, int] = {}
    without_id: list[int] = []
    for index, item in enumerate(items):
        if not item.request_id:
            without_id.append(index)
            continue
        if item.request_id in last:
            repeats.append((side, last[item.request_id]))
        last[item.request_id] = index
    return last, without_id


def _align_by_order(
    primary: Sequence[AlignItem],
    candidate: Sequence[AlignItem],
    p_indices: list[int],
    c_indices: list[int],
    pairs: list[tuple[int, int]],
    repeats: list[tuple[Side, int]],
    unpaired: list[Unpaired],
) -> None:
    p_kept = _collapse_polls(primary, p_indices, Side.PRIMARY, repeats)
    c_kept = _collapse_polls(candidate, c_indices, Side.CANDIDATE, repeats)
    matcher = difflib.SequenceMatcher(
        None, [primary[i].key for i in p_kept], [candidate[i].key for i in c_kept], autojunk=False
    )
    for tag, p_start, p_end, c_start, c_end in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(p_kept[p_start:p_end], c_kept[c_start:c_end], strict=True))
            continue
        unpaired.extend(
            Unpaired(side=Side.PRIMARY, index=i, reason="no counterpart in order") for i in p_kept[p_start:p_end]
        )
        unpaired.extend(
            Unpaired(side=Side.CANDIDATE, index=i, reason="no counterpart in order") for i in c_kept[c_start:c_end]
        )


def _collapse_polls(
    items: Sequence[AlignItem], indices: list[int], side: Side, repeats: list[tuple[Side, int]]
) -> list[int]:
    """Keep the last of each run of consecutive identical GETs; the earlier ones are poll repeats."""
    kept: list[int] = []
    for index in indices:
        previous = kept[-1] if kept else None
        if (
            previous is not None
            and items[index].method.upper() == "GET"
            and items[previous].method.upper() == "GET"
            and items[index].key == items[previous].key
        ):
            repeats.append((side, previous))
            kept[-1] = index
        else:
            kept.append(index)
    return kept
