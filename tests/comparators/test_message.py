from __future__ import annotations

import pytest
from pydantic import ValidationError

from comparators.message import HttpRequest, HttpResponse


def test_header_lookup_ignores_case() -> None:
    request = HttpRequest(method="POST", path="/api/tasks", headers=(("Content-Type", "application/json"),))
    assert request.header("content-type") == "application/json"
    assert request.header("x-missing") is None


def test_content_type_and_event_stream() -> None:
    sse = HttpResponse(status=200, headers=(("Content-Type", "Text/Event-Stream; charset=utf-8"),))
    assert sse.content_type == "text/event-stream" and sse.is_event_stream
    assert HttpResponse(status=404).content_type == "" and not HttpResponse(status=404).is_event_stream


def test_content_type_follows_the_headers_of_a_copy() -> None:
    json = HttpResponse(status=200, headers=(("content-type", "application/json"),))
    assert json.content_type == "application/json"
    copied = json.model_copy(update={"headers": (("Content-Type", "text/plain"),)})
    assert copied.content_type == "text/plain" and json.content_type == "application/json"


def test_messages_are_frozen() -> None:
    response = HttpResponse(status=200)
    with pytest.raises(ValidationError):
        response.status = 500  # type: ignore[misc]
