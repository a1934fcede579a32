"""tflow-style fakes for the shadow's own data (mitmproxy's ``tflow`` shape: keyword-only arguments, and
``True`` means "build the default"), plus small stand-ins for the collaborators the pipeline takes as
shapes (profile, comparator, normalizer, store, metrics). The models are the real frozen ones; nothing is patched."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from comparators.message import Headers, HttpRequest, HttpResponse
from comparators.result import Diff, DiffKind, Verdict, VerdictKind
from shadow.errors import StoreError
from shadow.models import Captured, ComparisonRecord, Exchange

__all__ = [
    "PROJECT_ID",
    "TMetrics",
    "TProfile",
    "TRoute",
    "TRule",
    "TStore",
    "tcaptured",
    "tcompare",
    "texchange",
    "tmask",
    "trequest",
    "tresponse",
]

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
_BRANCH = re.compile(r"vk-[0-9a-f]{4}-")

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


def tcaptured(**fields: Any) -> Captured:
    """``texchange(**fields)`` as the addon captures it (plain values, what crosses the pipe)."""
    exchange = texchange(**fields)
    request, primary = exchange.request, exchange.primary
    return Captured(
        id=exchange.id,
        started_at=exchange.started_at,
        completed_at=exchange.completed_at,
        method=request.method,
        path=request.path,
        query=request.query,
        request_headers=request.headers,
        request_body=request.body,
        status=primary.status,
        response_headers=primary.headers,
        response_body=primary.body,
        elapsed_ms=primary.elapsed_ms,
    )


@dataclass
class TRule:
    eventual: bool = False
    write: bool | None = None
    scope: str | None = None
    scope_key: str | None = None


@dataclass
class TRoute:
    template: str
    group: str
    rule: TRule | None


@dataclass
class TProfile:
    """A stand-in profile: uuids in the path become ``{id}``, the group is the second path segment."""

    eventual: set[str] = field(default_factory=set)

    def match(self, method: str, path: str) -> TRoute:
        template = UUID.sub("{id}", path)
        group = path.split("/")[2] if path.count("/") >= 2 else "other"
        return TRoute(template, group, TRule(eventual=template in self.eventual))


def tcompare(
    profile: Any,
    request: HttpRequest,
    primary: HttpResponse,
    candidate: HttpResponse,
    *,
    context: Any = None,
    id_map: Mapping[str, str] | None = None,
    noise: Any = None,
) -> Verdict:
    route = profile.match(request.method, request.path)
    diffs: list[Diff] = []
    if primary.status != candidate.status:
        diffs.append(Diff(path="/status", kind=DiffKind.STATUS, primary=primary.status, candidate=candidate.status))
    else:
        mapped = UUID.sub(lambda m: (id_map or {}).get(m.group(), m.group()), candidate.body.decode())
        if primary.body.decode() != mapped:
            diffs.append(Diff(path="/body", kind=DiffKind.BODY, primary=primary.body.decode(), candidate=mapped))
    # A stand-in for comparators.compare.compare_exchange: status, then body text with ids mapped back.
    kind = VerdictKind.MISMATCH if diffs else VerdictKind.MATCH
    return Verdict(kind=kind, method=request.method, route=route.template, group=route.group, diffs=tuple(diffs))


class TStore:
    """Keeps what it is given; ``fail=True`` raises ``StoreError`` like an unwritable database."""

    def __init__(self, fail: bool = False) -> None:
        self.records: list[ComparisonRecord] = []
        self.fail = fail
        self.closed = False

    def record_many(self, records: Sequence[ComparisonRecord]) -> None:
        if self.fail:
            raise StoreError("database is locked (injected)")
        self.records.extend(records)

    def prune(self, now: float | None = None) -> None:
        return None

    def close(self) -> None:
        self.closed = True


class TMetrics:
    """Records every call of the ``Metrics`` interface."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args: self.calls.append((name, args))

    def named(self, name: str) -> list[tuple[Any, ...]]:
        return [args for call, args in self.calls if call == name]


def tmask(value: Any) -> Any:
    """A stand-in for the core's normalizer on stream records (NOISE §1), reduced to value patterns: uuids,
    timestamps and attempt branch names are masked wherever they stand in a string."""
    if isinstance(value, str):
        return _BRANCH.sub("vk-<x>-", _TIMESTAMP.sub("<ts>", UUID.sub("<uuid>", value)))
    if isinstance(value, dict):
        return {key: tmask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [tmask(item) for item in value]
    return value
