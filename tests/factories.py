"""tflow-style fakes for the shadow's own data (mitmproxy's ``tflow`` shape: keyword-only arguments, and
``True`` means "build the default"). They build real frozen models, nothing is mocked."""

from __future__ import annotations

from typing import Any

import orjson

from comparators.message import Headers, HttpRequest, HttpResponse
from shadow.models import Exchange

__all__ = ["PROJECT_ID", "texchange", "trequest", "tresponse"]

PROJECT_ID = "0b7c1a52-6d8e-4f3a-9c51-2e4a7d9f0c11"
_JSON: Headers = (("content-type", "application/json"),)


def trequest(
    *,
    method: str = "GET",
    path: str = "/api/projects",
    query: str = "",
    headers: Headers = (),
    body: bytes = b"",
    json: Any = None,
) -> HttpRequest:
    """A client request; ``json=`` serializes a body and sets the JSON content type."""
    if json is not None:
        body = orjson.dumps(json)
        headers = (*_JSON, *headers)
    return HttpRequest(method=method, path=path, query=query, headers=headers, body=body)


def tresponse(
    *,
    status: int = 200,
    headers: Headers | None = None,
    body: bytes | None = None,
    json: Any = True,
    complete: bool = True,
) -> HttpResponse:
    """A response; by default a 0.0.71 envelope around one project. ``json=`` is wrapped in nothing: pass
    the whole document. ``body=`` wins over ``json``."""
    if body is None:
        document = {"success": True, "data": {"id": PROJECT_ID, "name": "p"}, "error_data": None, "message": None}
        body = orjson.dumps(document if json is True else json)
        headers = _JSON if headers is None else headers
    return HttpResponse(status=status, headers=headers or (), body=body, complete=complete)


def texchange(
    *,
    request: HttpRequest | bool = True,
    primary: HttpResponse | bool = True,
    started_at: float = 1_000.0,
    completed_at: float | None = 1_000.01,
    id: str | None = None,
) -> Exchange:
    """An exchange the primary answered; ``True`` builds ``trequest()`` / ``tresponse()``."""
    fields: dict[str, Any] = {
        "request": trequest() if request is True else request,
        "primary": tresponse() if primary is True else primary,
        "started_at": started_at,
        "completed_at": completed_at,
    }
    if id is not None:
        fields["id"] = id
    return Exchange(**fields)
