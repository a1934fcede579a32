"""Fixtures for the shadow tests: a record factory (tflow style) and a fresh in-memory store."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlite_utils import Database

from comparators.message import HttpRequest, HttpResponse
from comparators.result import Diff, DiffKind, Verdict, VerdictKind
from shadow.models import CandidateOutcome, ComparisonRecord, Exchange
from shadow.store import ResultStore, StoreSettings

JSON = (("content-type", "application/json"),)


def trecord(
    *,
    verdict: VerdictKind = VerdictKind.MISMATCH,
    method: str = "GET",
    route: str = "/api/tasks/{task_id}",
    group: str = "tasks",
    path: str = "/api/tasks/4f1c",
    request_body: Any = None,
    request_headers: tuple[tuple[str, str], ...] = (),
    primary: Any = None,
    candidate: Any = None,
    candidate_error: str | None = None,
    diffs: tuple[Diff, ...] | None = None,
    recorded_at: float = 1_700_000_000.0,
) -> ComparisonRecord:
    """One judged exchange. JSON-able bodies are serialized; bytes are taken as they are. A mismatch
    without explicit diffs gets one value diff at /body/data/title."""
    primary_body = {"success": True, "data": {"title": "a"}} if primary is None else primary
    candidate_body = {"success": True, "data": {"title": "b"}} if candidate is None else candidate
    if diffs is None:
        diffs = (Diff(path="/body/data/title", kind=DiffKind.VALUE, primary="a", candidate="b"),)
    if verdict is not VerdictKind.MISMATCH:
        diffs = ()
    request = HttpRequest(
        method=method,
        path=path,
        headers=(JSON if request_body is not None else ()) + request_headers,
        body=_bytes(request_body) if request_body is not None else b"",
    )
    outcome = (
        CandidateOutcome(error=candidate_error, detail="candidate did not answer")  # type: ignore[arg-type]
        if candidate_error
        else CandidateOutcome(
            response=HttpResponse(status=200, headers=JSON, body=_bytes(candidate_body), elapsed_ms=3.0)
        )
    )
    return ComparisonRecord(
        exchange=Exchange(
            request=request,
            primary=HttpResponse(status=200, headers=JSON, body=_bytes(primary_body), elapsed_ms=1.0),
            started_at=recorded_at - 0.01,
            completed_at=recorded_at - 0.005,
        ),
        candidate=outcome,
        verdict=Verdict(kind=verdict, method=method, route=route, group=group, diffs=diffs),
        recorded_at=recorded_at,
    )


def _bytes(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


@pytest.fixture
def make_record() -> Callable[..., ComparisonRecord]:
    return trecord


@pytest.fixture
def store() -> Iterator[ResultStore]:
    """A fresh in-memory store with a fixed redaction key (markers are reproducible across tests)."""
    result = ResultStore(Database(memory=True), settings=StoreSettings(redaction_key=SecretStr("test-key")))
    yield result
    result.close()
