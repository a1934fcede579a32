from __future__ import annotations

import json

import pytest

from comparators.error_shapes import ERROR_SHAPES, Shape, classify, diff_shapes
from comparators.message import HttpResponse
from comparators.result import DiffKind

JSON = (("content-type", "application/json"),)
TEXT = (("content-type", "text/plain; charset=utf-8"),)


def envelope(success: bool, data: object = None, error_data: object = None, message: str | None = None) -> bytes:
    return json.dumps({"success": success, "data": data, "error_data": error_data, "message": message}).encode()


# Real shapes captured from the primary (CONTRACT.md §1, CONTRACT-CORRECTIONS items 4, 5, 7, 8).
CASES = [
    (HttpResponse(status=200, headers=JSON, body=envelope(True, "OK")), Shape.OK, None),
    (
        HttpResponse(status=200, headers=JSON, body=envelope(False, message="Directory does not exist")),
        Shape.SOFT_ERROR,
        None,
    ),
    (
        HttpResponse(status=200, headers=JSON, body=envelope(False, error_data="TOKEN_INVALID")),
        Shape.SOFT_ERROR_DATA,
        None,
    ),
    (
        HttpResponse(
            status=500,
            headers=JSON,
            body=envelope(
                False, message="DatabaseError: error returned from database: (code: 787) FOREIGN KEY constraint failed"
            ),
        ),
        Shape.API_ERROR,
        "DatabaseError",
    ),
    (
        HttpResponse(
            status=500,
            headers=JSON,
            body=envelope(False, message="TaskAttemptError: Validation error: Executor profile not found: NOPE"),
        ),
        Shape.API_ERROR,
        "TaskAttemptError",
    ),
    (HttpResponse(status=404, headers=JSON, body=envelope(False, message="Image not found.")), Shape.API_ERROR, None),
    (HttpResponse(status=404, headers=()), Shape.EMPTY_404, None),
    (
        HttpResponse(
            status=400,
            headers=TEXT,
            body=b"Invalid URL: Cannot parse `task_id` with value `not-a-uuid`: UUID parsing failed: invalid character",
        ),
        Shape.REJECTION,
        None,
    ),
    (
        HttpResponse(
            status=422,
            headers=TEXT,
            body=b"Failed to deserialize the JSON body into the target type: missing field `title` at line 1 column 26",
        ),
        Shape.REJECTION,
        None,
    ),
    (
        HttpResponse(status=415, headers=TEXT, body=b"Expected request with `Content-Type: application/json`"),
        Shape.REJECTION,
        None,
    ),
    (HttpResponse(status=500, headers=(("content-length", "0"),)), Shape.EMPTY_500, None),
    (HttpResponse(status=405, headers=(("allow", "GET,HEAD"),)), Shape.EMPTY_405, None),
    (
        HttpResponse(status=200, headers=(("content-type", "text/html"),), body=b"<!doctype html><html></html>"),
        Shape.HTML,
        None,
    ),
    (HttpResponse(status=200, headers=(("content-type", "audio/wav"),), body=b"RIFF\x00\x00WAVE"), Shape.BINARY, None),
    (
        HttpResponse(status=200, headers=(("content-type", "text/event-stream"),), body=b"event: finished\ndata: \n\n"),
        Shape.SSE,
        None,
    ),
    (HttpResponse(status=200, headers=JSON, body=b"[1, 2]"), Shape.JSON, None),
    (HttpResponse(status=200, headers=(("content-type", "text/plain"),), body=b"hello"), Shape.TEXT, None),
    (HttpResponse(status=204, headers=()), Shape.EMPTY, None),
]


@pytest.mark.parametrize(("response", "shape", "kind"), CASES)
def test_classify_real_shapes(response: HttpResponse, shape: Shape, kind: str | None) -> None:
    info = classify(response)
    assert (info.shape, info.api_kind) == (shape, kind)
    assert info.is_error == (shape in ERROR_SHAPES)


def test_exactly_six_failure_shapes() -> None:
    assert sorted(s.value for s in ERROR_SHAPES) == ["A", "B", "C", "D", "E", "F"]


def test_a_json_null_body_is_still_json() -> None:
    info = classify(HttpResponse(status=200, headers=JSON, body=b"null"))
    assert info.json and info.body is None and info.shape is Shape.JSON


def test_different_failure_shapes_are_one_error_shape_difference() -> None:
    empty_404 = classify(HttpResponse(status=404))
    api_404 = classify(HttpResponse(status=404, headers=JSON, body=envelope(False, message="Not found")))
    assert [(d.path, d.kind, d.primary, d.candidate) for d in diff_shapes(empty_404, api_404)] == [
        ("/error/shape", DiffKind.ERROR_SHAPE, "D", "C")
    ]
    ok = classify(HttpResponse(status=200, headers=JSON, body=envelope(True)))
    soft = classify(HttpResponse(status=200, headers=JSON, body=envelope(False, message="no")))
    assert [d.candidate for d in diff_shapes(ok, soft)] == ["A"]
    assert diff_shapes(ok, ok) == []
    html = classify(HttpResponse(status=200, headers=(("content-type", "text/html"),), body=b"<html>"))
    assert diff_shapes(ok, html) == []  # neither failed: headers and body tell that difference


def test_api_error_kinds_are_compared() -> None:
    db = classify(
        HttpResponse(
            status=500, headers=JSON, body=envelope(False, message="DatabaseError: FOREIGN KEY constraint failed")
        )
    )
    attempt = classify(
        HttpResponse(
            status=500, headers=JSON, body=envelope(False, message="TaskAttemptError: FOREIGN KEY constraint failed")
        )
    )
    assert [(d.path, d.kind, d.primary, d.candidate) for d in diff_shapes(db, attempt)] == [
        ("/error/kind", DiffKind.ERROR_SHAPE, "DatabaseError", "TaskAttemptError")
    ]
