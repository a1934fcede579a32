"""Eventual consistency: a candidate read that differs may just be behind.

For routes the profile marks eventual, a mismatching read is re-read on the candidate with backoff
within a window. If it catches up, the verdict is ``converged`` (the first read's differences are kept as
``explained`` evidence); if it never does, the last mismatch stands, with the re-read count in its reason.
Only reads are ever re-sent (plain reads and event streams, re-opened with the same window): re-sending a
write would apply it twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from comparators.result import Verdict, VerdictKind
from shadow.config import EventualSettings
from shadow.models import CandidateOutcome

__all__ = ["Settled", "settle"]

_EQUAL = frozenset({VerdictKind.MATCH, VerdictKind.NOISE, VerdictKind.INTENDED})


@dataclass(frozen=True)
class Settled:
    verdict: Verdict
    outcome: CandidateOutcome | None  # the candidate answer the verdict is about (None: the first one)
    rereads: int


async def settle(
    first: Verdict,
    *,
    reread: Callable[[], Awaitable[CandidateOutcome]],
    judge: Callable[[CandidateOutcome], Verdict],
    settings: EventualSettings,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Settled:
    if first.kind is not VerdictKind.MISMATCH:
        return Settled(first, None, 0)
    start = clock()
    delay = settings.first_delay
    last, outcome, rereads = first, None, 0
    while clock() - start + delay <= settings.window:
        await sleep(delay)
        outcome = await reread()
        rereads += 1
        verdict = judge(outcome)
        if verdict.kind in _EQUAL:
            reason = f"equal after {rereads} re-read(s), {clock() - start:.2f}s after the first read"
            converged = first.model_copy(
                update={"kind": VerdictKind.CONVERGED, "diffs": (), "explained": first.diffs, "reason": reason}
            )
            return Settled(converged, outcome, rereads)
        if verdict.kind is VerdictKind.MISMATCH:
            last = verdict
        delay *= settings.factor
    reason = f"still different after {rereads} re-read(s) within {settings.window:g}s"
    return Settled(last.model_copy(update={"reason": reason}), outcome if last is not first else None, rereads)
