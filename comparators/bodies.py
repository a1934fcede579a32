"""Compare two response bodies by what they are: JSON, an event stream, text, or bytes.

JSON bodies are normalized with the route's rules (each side with its own context) and compared first as
canonical bytes, then with ``json_diff`` when they differ. Event streams go to
``comparators.streams.compare_stream`` (written beside this module; until it is there, the raw stream text
is compared after the default masks, and the difference says so). Text bodies (axum rejections, the SPA
page) are compared after the masks that apply to a bare string; other bodies byte for byte.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Collection
from typing import Any

from comparators.error_shapes import ShapeInfo
from comparators.json_diff import diff_canonical, diff_json
from comparators.message import HttpResponse
from comparators.normalize import NormalizeContext, Normalizer
from comparators.normalizer import CompiledRule
from comparators.result import Diff, DiffKind

__all__ = ["TEXT_EXCERPT", "diff_bodies", "stream_comparator"]

TEXT_EXCERPT = 2000  # characters of a text body kept in a Diff (the store redacts and bounds it further)
StreamComparator = Callable[..., list[Diff]]


def stream_comparator() -> StreamComparator | None:
    """``comparators.streams.compare_stream`` when that module is installed, else None."""
    try:
        module = importlib.import_module("comparators.streams")
    except ImportError:
        return None
    found = getattr(module, "compare_stream", None)
    return found if callable(found) else None


def diff_bodies(
    normalizer: Normalizer,
    primary: HttpResponse,
    candidate: HttpResponse,
    shapes: tuple[ShapeInfo, ShapeInfo],
    contexts: tuple[NormalizeContext, NormalizeContext],
    *,
    stream: str | None = None,
    stream_params: dict[str, Any] | None = None,
    applied: tuple[Collection[CompiledRule], Collection[CompiledRule]] = ((), ()),
) -> list[Diff]:
    """Body differences (paths under ``/body``, or ``/stream`` for event streams). ``applied``: per side,
    byte rules already applied to the body the shape was parsed from (``comparators.fastpath``)."""
    p_shape, c_shape = shapes
    if primary.is_event_stream and candidate.is_event_stream:
        return _streams(normalizer, primary, candidate, contexts, stream or "json_patch", stream_params or {})
    if p_shape.json and c_shape.json:
        return _json(normalizer, p_shape.body, c_shape.body, contexts, applied)
    if primary.body == candidate.body:
        return []
    if _texty(primary) and _texty(candidate):
        p_text = normalizer.normalize(primary.body.decode("utf-8", "replace"), contexts[0])
        c_text = normalizer.normalize(candidate.body.decode("utf-8", "replace"), contexts[1])
        if p_text == c_text:
            return []
        return [Diff(path="/body", kind=DiffKind.BODY, primary=_excerpt(p_text), candidate=_excerpt(c_text))]
    return [
        Diff(
            path="/body", kind=DiffKind.BODY, primary=_fingerprint(primary.body), candidate=_fingerprint(candidate.body)
        )
    ]


def _json(
    normalizer: Normalizer,
    primary: Any,
    candidate: Any,
    contexts: tuple[NormalizeContext, NormalizeContext],
    applied: tuple[Collection[CompiledRule], Collection[CompiledRule]],
) -> list[Diff]:
    # The parsed bodies belong to this comparison (classify parsed them for us): normalize in place.
    p_bytes, p_fit = normalizer.canonical_fit(primary, contexts[0], owned=True, applied=applied[0])
    c_bytes, c_fit = normalizer.canonical_fit(candidate, contexts[1], owned=True, applied=applied[1])
    if p_bytes == c_bytes:
        return []
    # orjson wrote them (integers fit): parsed back exactly without scanning 2 x 100 KB for long integers.
    return diff_canonical(p_bytes, c_bytes, "/body", integers_fit=(p_fit, c_fit))


def _streams(
    normalizer: Normalizer,
    primary: HttpResponse,
    candidate: HttpResponse,
    contexts: tuple[NormalizeContext, NormalizeContext],
    kind: str,
    params: dict[str, Any],
) -> list[Diff]:
    # Stream values reach normalize without their side, so it masks both sides' prefixes and maps
    # candidate ids: a primary value never contains the candidate's paths or ids.
    both = NormalizeContext.merged(*contexts)
    compare_stream = stream_comparator()
    if compare_stream is None:
        p_text = normalizer.normalize(primary.body.decode("utf-8", "replace"), both)
        c_text = normalizer.normalize(candidate.body.decode("utf-8", "replace"), both)
        if p_text == c_text:
            return []
        note = "comparators.streams is not installed: compared the raw event-stream text"
        return [
            Diff(path="/stream", kind=DiffKind.BODY, primary=_excerpt(p_text), candidate=_excerpt(c_text), note=note)
        ]
    return compare_stream(
        kind,
        params,
        primary.body,
        candidate.body,
        primary_complete=primary.complete,
        candidate_complete=candidate.complete,
        normalize=lambda value: normalizer.normalize(value, both),
        diff=diff_json,
    )


def _texty(response: HttpResponse) -> bool:
    content_type = response.content_type
    if content_type.startswith("text/") or content_type in ("application/json", ""):
        try:
            response.body.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return False


def _excerpt(text: Any) -> Any:
    if isinstance(text, str) and len(text) > TEXT_EXCERPT:
        return text[:TEXT_EXCERPT] + f"... ({len(text)} characters)"
    return text


def _fingerprint(body: bytes) -> str:
    return f"{len(body)} bytes, sha256 {hashlib.sha256(body).hexdigest()[:16]}"
