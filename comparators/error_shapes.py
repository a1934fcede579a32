"""The primary's six failure shapes (CONTRACT.md §1 with CONTRACT-CORRECTIONS item 4), and the other
response classes, so two failures are compared as shapes before their texts are.

| shape | status | body |
|---|---|---|
| A soft error        | 200 | envelope ``success:false``, ``error_data:null``, ``message`` text |
| B soft error + data | 200 | envelope ``success:false``, ``error_data`` set (e.g. ``"TOKEN_INVALID"``) |
| C ApiError          | 4xx/5xx | envelope ``success:false``, ``message: "<Kind>Error: <detail>"`` (image errors: fixed texts) |
| D model-loader miss | 404 | empty, no content-type |
| E axum rejection    | 4xx | ``text/plain`` (bad UUID in path, bad query, bad JSON, missing field, no content-type) |
| F bare 500          | 500 | empty |

Non-error classes: ``ok`` (envelope ``success:true``), ``sse``, ``html`` (the SPA fallback), ``binary``,
``empty_405`` (wrong method), ``json`` (JSON that is not an envelope), ``text``, ``empty``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from comparators.canonical import NotJson, parse_json
from comparators.message import HttpResponse
from comparators.result import Diff, DiffKind

__all__ = ["ERROR_SHAPES", "Shape", "ShapeInfo", "classify", "diff_shapes"]


class Shape(StrEnum):
    SOFT_ERROR = "A"
    SOFT_ERROR_DATA = "B"
    API_ERROR = "C"
    EMPTY_404 = "D"
    REJECTION = "E"
    EMPTY_500 = "F"
    OK = "ok"
    SSE = "sse"
    HTML = "html"
    BINARY = "binary"
    EMPTY_405 = "empty_405"
    JSON = "json"
    TEXT = "text"
    EMPTY = "empty"


ERROR_SHAPES = frozenset(
    {Shape.SOFT_ERROR, Shape.SOFT_ERROR_DATA, Shape.API_ERROR, Shape.EMPTY_404, Shape.REJECTION, Shape.EMPTY_500}
)
_ENVELOPE_KEYS = frozenset({"success", "data", "error_data", "message"})
# ApiError messages start with the error enum's name: "DatabaseError: ...", "TaskAttemptError: ...".
_API_KIND = re.compile(r"([A-Z][A-Za-z]*Error): ")


@dataclass(frozen=True)
class ShapeInfo:
    """``body`` is the parsed JSON when the body is JSON (None otherwise); ``api_kind`` the ApiError prefix."""

    shape: Shape
    body: Any = None
    api_kind: str | None = None
    json: bool = False  # the body parsed as JSON (``body`` may then legitimately be None: ``null``)

    @property
    def is_error(self) -> bool:
        return self.shape in ERROR_SHAPES


def classify(response: HttpResponse) -> ShapeInfo:
    status, content_type, body = response.status, response.content_type, response.body
    if not body:
        if status == 404:
            return ShapeInfo(Shape.EMPTY_404)
        if status == 500:
            return ShapeInfo(Shape.EMPTY_500)
        if status == 405:
            return ShapeInfo(Shape.EMPTY_405)
    if response.is_event_stream:
        return ShapeInfo(Shape.SSE)
    if content_type == "text/plain" and 400 <= status < 500:
        return ShapeInfo(Shape.REJECTION)
    if content_type == "text/html":
        return ShapeInfo(Shape.HTML)
    if not body:
        return ShapeInfo(Shape.EMPTY)
    if content_type == "application/json" or content_type.endswith("+json") or not content_type:
        try:
            parsed = parse_json(body)
        except NotJson:
            return ShapeInfo(Shape.TEXT if content_type else Shape.BINARY)
        return _classify_json(status, parsed)
    if content_type.startswith("text/"):
        return ShapeInfo(Shape.TEXT)
    return ShapeInfo(Shape.BINARY)


def _classify_json(status: int, body: Any) -> ShapeInfo:
    if not (isinstance(body, dict) and body.keys() == _ENVELOPE_KEYS and isinstance(body["success"], bool)):
        return ShapeInfo(Shape.JSON, body, json=True)
    if body["success"]:
        return ShapeInfo(Shape.OK, body, json=True)
    if status >= 400:
        message = body["message"]
        match = _API_KIND.match(message) if isinstance(message, str) else None
        return ShapeInfo(Shape.API_ERROR, body, match.group(1) if match else None, json=True)
    if body["error_data"] is not None:
        return ShapeInfo(Shape.SOFT_ERROR_DATA, body, json=True)
    return ShapeInfo(Shape.SOFT_ERROR, body, json=True)


def diff_shapes(primary: ShapeInfo, candidate: ShapeInfo) -> list[Diff]:
    """ERROR_SHAPE at ``/error/shape`` when either side failed and the shapes differ; at ``/error/kind``
    when both are ApiErrors of different kinds (``DatabaseError`` against ``TaskAttemptError``)."""
    if not (primary.is_error or candidate.is_error):
        return []
    if primary.shape is not candidate.shape:
        return [
            Diff(
                path="/error/shape",
                kind=DiffKind.ERROR_SHAPE,
                primary=primary.shape.value,
                candidate=candidate.shape.value,
                note=_messages_note(primary, candidate),
            )
        ]
    if primary.api_kind != candidate.api_kind:
        return [
            Diff(path="/error/kind", kind=DiffKind.ERROR_SHAPE, primary=primary.api_kind, candidate=candidate.api_kind)
        ]
    return []


def _message(info: ShapeInfo) -> str | None:
    if isinstance(info.body, dict) and isinstance(info.body.get("message"), str):
        return str(info.body["message"])
    return None


def _messages_note(primary: ShapeInfo, candidate: ShapeInfo) -> str | None:
    # The shape says what differs; the messages say why, for whoever reads the exemplar (and let an
    # intended divergence name the exact refusal it allows).
    parts = [
        f"{side} message: {text}"
        for side, text in (("primary", _message(primary)), ("candidate", _message(candidate)))
        if text
    ]
    return "; ".join(parts) or None
