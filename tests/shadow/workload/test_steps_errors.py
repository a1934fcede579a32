"""Errors family: each error shape as the real binary answers it."""

from __future__ import annotations

from shadow.har import HarCapture


def _response(capture: HarCapture, request_id: str) -> tuple[int, str, bytes]:
    response = capture.last(request_id).response
    assert response is not None
    return response.status, response.content_type, response.body


def test_unknown_ids_are_empty_404s(primary_capture: HarCapture) -> None:
    loader_misses = [
        e.request_id
        for e in primary_capture.entries
        if str(e.request_id).startswith("errors.unknown-")
        and e.request_id not in {"errors.unknown-project-task", "errors.unknown-path"}
    ]
    assert len(loader_misses) == 12
    for request_id in loader_misses:
        assert _response(primary_capture, str(request_id)) == (404, "", b""), request_id


def test_fk_failure_is_an_api_error(primary_capture: HarCapture) -> None:
    status, content_type, body = _response(primary_capture, "errors.unknown-project-task")
    assert (status, content_type) == (500, "application/json") and b"FOREIGN KEY" in body


def test_extractor_rejections_are_plain_text(primary_capture: HarCapture) -> None:
    expected = {
        "errors.malformed-json": 400,
        "errors.missing-content-type": 415,
        "errors.missing-field": 422,
        "errors.wrong-type": 422,
        "errors.bad-uuid-task": 400,
        "errors.bad-uuid-query": 400,
        "errors.missing-query": 400,
    }
    for request_id, status in expected.items():
        got_status, content_type, body = _response(primary_capture, request_id)
        assert (got_status, content_type) == (status, "text/plain"), request_id
        assert body
    assert b"Cannot parse `task_id`" in _response(primary_capture, "errors.bad-uuid-task")[2]
    assert b"Cannot parse `template_id`" in _response(primary_capture, "errors.bad-uuid-template")[2]


def test_routing_oddities(primary_capture: HarCapture) -> None:
    assert _response(primary_capture, "errors.unknown-path")[:2] == (200, "text/html")
    assert _response(primary_capture, "errors.trailing-slash")[:2] == (200, "text/html")
    wrong = primary_capture.last("errors.wrong-method").response
    assert wrong is not None and wrong.status == 405 and wrong.header("allow")
    assert _response(primary_capture, "errors.wrong-method-unknown-path")[0] == 405
    assert _response(primary_capture, "errors.config-get-not-routed")[0] == 405
