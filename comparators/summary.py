"""Aggregate verdicts into the numbers people act on: totals per verdict, parity per route group, and the
most frequent mismatch signatures with one example each. Pure.

Parity of a group = (match + noise + converged + intended) / compared, in percent (a converged read is one
the candidate caught up on within the eventual window). ``shed`` exchanges were never
compared, so they count as exchanges but not as compared; candidate errors and timeouts are compared
exchanges that failed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict

from comparators.result import Diff, Verdict, VerdictKind

__all__ = [
    "PARITY_KINDS",
    "GroupSummary",
    "SignatureSummary",
    "Summary",
    "group_summary",
    "parity_percent",
    "summarize",
]

PARITY_KINDS = frozenset({VerdictKind.MATCH, VerdictKind.NOISE, VerdictKind.CONVERGED, VerdictKind.INTENDED})
_NOT_COMPARED = frozenset({VerdictKind.SHED})


class GroupSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    group: str
    exchanges: int
    compared: int
    verdicts: dict[str, int]
    parity_percent: float | None  # None when nothing was compared


class SignatureSummary(BaseModel):
    """One mismatch signature: how often it occurred and the diffs of its first occurrence."""

    model_config = ConfigDict(frozen=True)

    signature: str
    method: str
    route: str
    group: str
    count: int
    example: tuple[Diff, ...]


class Summary(BaseModel):
    model_config = ConfigDict(frozen=True)

    exchanges: int
    compared: int
    parity_percent: float | None
    verdicts: dict[str, int]
    groups: tuple[GroupSummary, ...]
    signatures: tuple[SignatureSummary, ...]
    signature_count: int  # all distinct signatures; ``signatures`` holds the top ones
    unpaired: dict[str, int]
    poll_repeats: dict[str, int]


def parity_percent(verdicts: Mapping[str, int]) -> float | None:
    compared = sum(count for kind, count in verdicts.items() if kind not in _NOT_COMPARED)
    if compared == 0:
        return None
    good = sum(count for kind, count in verdicts.items() if kind in PARITY_KINDS)
    return round(100.0 * good / compared, 2)


def summarize(
    verdicts: Iterable[Verdict],
    *,
    unpaired: Mapping[str, int] | None = None,
    poll_repeats: Mapping[str, int] | None = None,
    top: int = 10,
) -> Summary:
    """Summarize ``verdicts``; ``unpaired``/``poll_repeats`` are per-side counts from the alignment."""
    totals: Counter[str] = Counter()
    per_group: defaultdict[str, Counter[str]] = defaultdict(Counter)
    signature_counts: Counter[str] = Counter()
    first_of_signature: dict[str, Verdict] = {}
    for verdict in verdicts:
        totals[verdict.kind.value] += 1
        per_group[verdict.group][verdict.kind.value] += 1
        if verdict.signature is not None:
            signature_counts[verdict.signature] += 1
            first_of_signature.setdefault(verdict.signature, verdict)
    groups = tuple(group_summary(group, counts) for group, counts in sorted(per_group.items()))
    ranked = sorted(signature_counts.items(), key=lambda item: (-item[1], item[0]))
    signatures = tuple(
        SignatureSummary(
            signature=signature,
            method=first_of_signature[signature].method,
            route=first_of_signature[signature].route,
            group=first_of_signature[signature].group,
            count=count,
            example=first_of_signature[signature].diffs,
        )
        for signature, count in ranked[:top]
    )
    return Summary(
        exchanges=sum(totals.values()),
        compared=_compared(totals),
        parity_percent=parity_percent(totals),
        verdicts=_all_kinds(totals),
        groups=groups,
        signatures=signatures,
        signature_count=len(signature_counts),
        unpaired=dict(unpaired or {}),
        poll_repeats=dict(poll_repeats or {}),
    )


def group_summary(group: str, counts: Mapping[str, int]) -> GroupSummary:
    """One group's line from its count per verdict kind (from verdicts, or from the evidence store)."""
    return GroupSummary(
        group=group,
        exchanges=sum(counts.values()),
        compared=_compared(counts),
        verdicts=_all_kinds(counts),
        parity_percent=parity_percent(counts),
    )


def _compared(counts: Mapping[str, int]) -> int:
    return sum(count for kind, count in counts.items() if kind not in _NOT_COMPARED)


def _all_kinds(counts: Mapping[str, int]) -> dict[str, int]:
    # Every kind, zeros included: the JSON has a stable shape for dashboards and scripts.
    return {kind.value: counts.get(kind.value, 0) for kind in VerdictKind}
