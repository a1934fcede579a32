"""Judging one candidate outcome: the verdict, and the shapes of the comparator and profile it uses.

No answer at all is ``timeout`` or ``candidate_error``; an answer goes to the comparator
(``comparators.compare.compare_exchange`` in production, any function of the same shape in tests); id
conflicts found while learning are findings that turn it into a mismatch; a comparator that crashes is
recorded as a mismatch saying so, never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from comparators.message import HttpRequest, HttpResponse
from comparators.result import Diff, DiffKind, Verdict, VerdictKind
from shadow.correlation import Conflict
from shadow.models import CandidateOutcome, Exchange

__all__ = ["Comparator", "Profile", "RouteMatch", "judge"]

log = logging.getLogger(__name__)


class RouteMatch(Protocol):
    @property
    def template(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def rule(self) -> Any: ...


class Profile(Protocol):
    def match(self, method: str, path: str) -> RouteMatch: ...


class Comparator(Protocol):
    def __call__(
        self,
        profile: Any,
        request: HttpRequest,
        primary: HttpResponse,
        candidate: HttpResponse,
        *,
        context: Any = None,
        id_map: Mapping[str, str] | None = None,
        noise: Any = None,
    ) -> Verdict: ...


def judge(
    profile: Any,
    compare: Comparator,
    exchange: Exchange,
    outcome: CandidateOutcome,
    route: RouteMatch,
    *,
    context: Any = None,
    id_map: Mapping[str, str] | None = None,
    conflicts: Sequence[Conflict] = (),
) -> Verdict:
    """The verdict on one candidate outcome (see the module docstring)."""
    method = exchange.request.method
    if outcome.response is None:
        kind = VerdictKind.TIMEOUT if outcome.error == "timeout" else VerdictKind.CANDIDATE_ERROR
        reason = f"{outcome.error or 'other'}: {outcome.detail or 'no answer'}"
        return Verdict(kind=kind, method=method, route=route.template, group=route.group, reason=reason)
    try:
        verdict = compare(profile, exchange.request, exchange.primary, outcome.response, context=context, id_map=id_map)
    except Exception as exc:  # a comparator bug must not hide the exchange: record it as a mismatch
        log.exception("shadow: comparator failed on %s %s", method, route.template)
        note = f"comparator failed: {type(exc).__name__}: {exc}"
        diff = Diff(path="", kind=DiffKind.BODY, note=note)
        return Verdict(
            kind=VerdictKind.MISMATCH,
            method=method,
            route=route.template,
            group=route.group,
            diffs=(diff,),
            reason=note,
        )
    if conflicts:
        extra = tuple(
            Diff(
                path=c.path,
                kind=DiffKind.VALUE,
                primary=c.primary,
                candidate=c.candidate,
                note=f"id conflict: the {c.side} id was already paired with {c.known}",
            )
            for c in conflicts
        )
        verdict = verdict.model_copy(update={"kind": VerdictKind.MISMATCH, "diffs": verdict.diffs + extra})
    if outcome.error is not None and verdict.kind is VerdictKind.MATCH:  # a stream that broke, yet matched so far
        verdict = verdict.model_copy(update={"reason": f"candidate stream broke: {outcome.detail}"})
    return verdict
