"""``compare_exchange``: judge the candidate's answer to one request against the primary's.

Order of the checks: route match (template and group, never a raw path); status; failure shape (two
failures are compared as shapes first: when they differ nothing else is reported, the shape says it all);
headers; body by what it is (``bodies.py``). Then the verdict: differences covered by an unexpired intended
divergence, by a documented race of the primary's event feed (diffs ``comparators.streams`` marks with a
``race:`` note) or by learned noise are *explained* and kept as evidence in ``Verdict.explained``; only
non-structural differences can ever be explained as noise.

Verdict kinds set here: match, mismatch, noise, intended. ``candidate_error``/``timeout``/``shed`` are for
callers that never got an answer (``verdict_for_candidate_error``, ``verdict_shed``); ``converged`` is the
proxy's, after re-reading an eventual route.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Any, Literal
from urllib.parse import parse_qsl

from comparators.bodies import diff_bodies
from comparators.canonical import NotJson, parse_json
from comparators.error_shapes import ShapeInfo, classify, diff_shapes
from comparators.fastpath import Attempt, fast_path_for
from comparators.headers import diff_headers
from comparators.intended import IntendedDivergences
from comparators.message import HttpRequest, HttpResponse
from comparators.noise import NoiseModel, route_key
from comparators.normalize import NormalizeContext
from comparators.normalizer import CompiledRule
from comparators.profiles import Profile, RouteMatch
from comparators.result import Diff, DiffKind, Verdict, VerdictKind

__all__ = [
    "CompareContext",
    "compare_exchange",
    "normalize_request",
    "response_diffs",
    "verdict_for_candidate_error",
    "verdict_shed",
]

Side = Literal["primary", "candidate"]


@dataclass(frozen=True)
class CompareContext:
    """Per-side directories to mask, by token name: ``{"WORK": ..., "HOME": ..., "WORKTREES": ...}``."""

    primary_prefixes: Mapping[str, str] = field(default_factory=dict)
    candidate_prefixes: Mapping[str, str] = field(default_factory=dict)

    def normalize_contexts(self, id_map: Mapping[str, str] | None = None) -> tuple[NormalizeContext, NormalizeContext]:
        """(primary, candidate) contexts: the candidate side maps its ids back to the primary's; ids
        known to both sides stay literal on both."""
        if not id_map:
            return self._plain_contexts
        mapping = dict(id_map)
        known = frozenset(mapping.values())
        known_bytes = frozenset([value.encode() for value in known])
        primary, candidate = self._plain_contexts
        return primary.with_ids({}, known, known_bytes), candidate.with_ids(mapping, known, known_bytes)

    @cached_property
    def _plain_contexts(self) -> tuple[NormalizeContext, NormalizeContext]:
        return NormalizeContext(prefixes=self.primary_prefixes), NormalizeContext(prefixes=self.candidate_prefixes)


def response_diffs(
    profile: Profile,
    match: RouteMatch,
    primary: HttpResponse,
    candidate: HttpResponse,
    contexts: tuple[NormalizeContext, NormalizeContext],
) -> list[Diff]:
    """Every difference between two responses to the same request, unexplained."""
    diffs: list[Diff] = []
    if primary.status != candidate.status:
        diffs.append(Diff(path="/status", kind=DiffKind.STATUS, primary=primary.status, candidate=candidate.status))
    extra_headers = profile.headers_for(match.rule, primary.status)
    symmetric = contexts[0].prefixes == contexts[1].prefixes
    if not diffs and symmetric and primary.body == candidate.body:
        # Same bytes, same masks on both sides: same shape, same normalized body. Only headers remain.
        return diff_headers(primary.headers, candidate.headers, extra_headers)
    normalizer = profile.normalizer(match.rule)
    attempt = None
    if not diffs and _both_json(primary, candidate):
        fast = fast_path_for(normalizer)
        if fast is not None:
            attempt = fast.attempt(primary.body, candidate.body, contexts)
            if attempt.proven:
                # Proven equal from the raw bytes (fastpath.py): same structure, so the same shape and the
                # same normalized body. Only headers remain.
                return diff_headers(primary.headers, candidate.headers, extra_headers)
    shapes, applied = _shapes(primary, candidate, attempt)
    shape_diffs = diff_shapes(*shapes)
    if shape_diffs and shape_diffs[0].path == "/error/shape":
        return diffs + shape_diffs
    diffs += shape_diffs
    diffs += diff_headers(primary.headers, candidate.headers, extra_headers)
    rule = match.rule
    diffs += diff_bodies(
        normalizer,
        primary,
        candidate,
        shapes,
        contexts,
        stream=rule.stream if rule is not None else None,
        stream_params=rule.stream_params if rule is not None else None,
        applied=applied,
    )
    return diffs


Applied = tuple[frozenset[CompiledRule], frozenset[CompiledRule]]
_NONE_APPLIED: Applied = (frozenset(), frozenset())


def _shapes(
    primary: HttpResponse, candidate: HttpResponse, attempt: Attempt | None
) -> tuple[tuple[ShapeInfo, ShapeInfo], Applied]:
    """Both answers classified (parsed once). After a failed fast path, a side's premasked body (same
    structure, its raw_exact rules already applied) is parsed in place of the body, and the exact path
    skips those rules. Error shapes are classified from the bodies themselves: their messages are quoted
    in differences as they were."""
    if attempt is not None and (attempt.primary or attempt.candidate):
        sides = [
            (classify(response.model_copy(update={"body": handed.body})), handed.applied)
            if handed is not None
            else (classify(response), frozenset[CompiledRule]())
            for response, handed in ((primary, attempt.primary), (candidate, attempt.candidate))
        ]
        if all(shape.json and not shape.is_error for shape, _ in sides):
            return (sides[0][0], sides[1][0]), (sides[0][1], sides[1][1])
    return (classify(primary), classify(candidate)), _NONE_APPLIED


def _both_json(primary: HttpResponse, candidate: HttpResponse) -> bool:
    """Both bodies are ones ``classify`` parses as JSON: not empty, and the same JSON content type."""
    if not (primary.body and candidate.body):
        return False
    content_type = primary.content_type
    json_typed = content_type == "application/json" or content_type.endswith("+json") or not content_type
    return json_typed and candidate.content_type == content_type


def compare_exchange(
    profile: Profile,
    request: HttpRequest,
    primary: HttpResponse,
    candidate: HttpResponse,
    *,
    context: CompareContext | None = None,
    id_map: Mapping[str, str] | None = None,
    noise: NoiseModel | None = None,
    intended: IntendedDivergences | None = None,
    today: date | None = None,
) -> Verdict:
    """The verdict for one exchange. ``intended`` defaults to the profile's own list; ``today`` (for
    expiry) to the current date."""
    match = profile.match(request.method, request.path)
    contexts = (context or CompareContext()).normalize_contexts(id_map)
    diffs = response_diffs(profile, match, primary, candidate, contexts)
    return judge(
        request.method,
        match,
        diffs,
        noise=noise,
        intended=profile.intended if intended is None else intended,
        today=today,
    )


def judge(
    method: str,
    match: RouteMatch,
    diffs: Sequence[Diff],
    *,
    noise: NoiseModel | None = None,
    intended: IntendedDivergences | None = None,
    today: date | None = None,
) -> Verdict:
    """Turn differences into a verdict: explained by intent, by the primary's documented races, by
    learned noise (never a structural difference), or left as a mismatch."""
    if not diffs:
        return _match(method.upper(), match.template, match.group)
    base = {"method": method.upper(), "route": match.template, "group": match.group}
    remaining = list(diffs)
    reasons: list[str] = []
    by_intent: list[Diff] = []
    if intended is not None and intended.entries:
        outcome = intended.explain(method, match.template, remaining, today)
        by_intent, remaining = outcome.explained, outcome.remaining
        if outcome.expired:
            reasons.append("expired intended divergence: " + ", ".join(outcome.expired))
    by_race = [d for d in remaining if _is_race(d)]
    remaining = [d for d in remaining if not _is_race(d)]
    by_noise: list[Diff] = []
    if noise is not None:
        by_noise, remaining = noise.explain(route_key(method, match.template), remaining)
    explained = (*by_intent, *by_race, *by_noise)
    kind = VerdictKind.MISMATCH if remaining else VerdictKind.INTENDED if by_intent else VerdictKind.NOISE
    if kind is not VerdictKind.MISMATCH and by_intent and (by_race or by_noise):
        reasons.append(f"{len(by_intent)} intended, {len(by_race) + len(by_noise)} noise")
    return Verdict(kind=kind, diffs=tuple(remaining), explained=explained, reason="; ".join(reasons) or None, **base)


# Most verdicts are matches, and a match is a frozen value of its route alone (templates are bounded by
# design, unknown paths included): validated once per route instead of once per exchange.
@lru_cache(maxsize=4096)
def _match(method: str, route: str, group: str) -> Verdict:
    return Verdict(kind=VerdictKind.MATCH, method=method, route=route, group=group)


def _is_race(diff: Diff) -> bool:
    # comparators.streams marks the primary's own event-feed races (phantom deletes, late reads) this way.
    return not diff.structural and (diff.note or "").startswith("race:")


def verdict_for_candidate_error(
    profile: Profile, request: HttpRequest, error: str, detail: str | None = None
) -> Verdict:
    """The candidate gave no answer to compare: ``timeout``, or any other transport error
    (``refused``, ``reset``, ``protocol``, ``breaker_open``, ``other``) as ``candidate_error``."""
    match = profile.match(request.method, request.path)
    kind = VerdictKind.TIMEOUT if error == "timeout" else VerdictKind.CANDIDATE_ERROR
    reason = error if not detail else f"{error}: {detail}"
    return Verdict(kind=kind, method=request.method.upper(), route=match.template, group=match.group, reason=reason)


def verdict_shed(profile: Profile, request: HttpRequest, reason: str = "queue full") -> Verdict:
    """Not compared on purpose (the shadow was saturated and dropped the exchange)."""
    match = profile.match(request.method, request.path)
    return Verdict(
        kind=VerdictKind.SHED, method=request.method.upper(), route=match.template, group=match.group, reason=reason
    )


def normalize_request(
    profile: Profile, request: HttpRequest, context: CompareContext | None = None, *, side: Side = "primary"
) -> bytes:
    """A canonical form of a request for pairing captures: method, route template, path parameters,
    sorted query and body, all normalized with the profile's default rules for ``side`` (so ids and
    directories of either backend compare equal). Multipart bodies are reduced to their parts' names,
    file names and content hashes (the boundary is random)."""
    match = profile.match(request.method, request.path)
    contexts = (context or CompareContext()).normalize_contexts()
    doc = {
        "method": request.method.upper(),
        "route": match.template,
        "params": dict(match.params),
        "query": sorted([key, value] for key, value in parse_qsl(request.query, keep_blank_values=True)),
        "body": _request_body(request),
    }
    return profile.normalizer(None).canonical(doc, contexts[0 if side == "primary" else 1], owned=True)


def _request_body(request: HttpRequest) -> Any:
    body = request.body
    if not body:
        return None
    content_type = request.header("content-type") or ""
    if content_type.lower().startswith("multipart/"):
        return _multipart(content_type, body)
    try:
        return {"json": parse_json(body)}
    except NotJson:
        pass
    try:
        return {"text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"sha256": hashlib.sha256(body).hexdigest()}


def _multipart(content_type: str, body: bytes) -> Any:
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    if not message.is_multipart():
        return {"sha256": hashlib.sha256(body).hexdigest()}
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        parts.append(
            {
                "name": part.get_param("name", header="content-disposition"),
                "filename": part.get_filename(),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        )
    return {"multipart": parts}
