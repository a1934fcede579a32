"""What the proxy captures and what the store keeps, as frozen data. The bottom layer of ``shadow``."""

from __future__ import annotations

import time
import uuid
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from comparators.message import HttpRequest, HttpResponse, find_header
from comparators.result import Verdict

__all__ = ["CandidateOutcome", "Captured", "ComparisonRecord", "Exchange"]


class CandidateOutcome(BaseModel):
    """What the candidate did with the mirrored request: a response, or why there is none."""

    model_config = ConfigDict(frozen=True)

    response: HttpResponse | None = None
    error: Literal["timeout", "refused", "reset", "protocol", "breaker_open", "other"] | None = None
    detail: str | None = None
    elapsed_ms: float | None = None


class Exchange(BaseModel):
    """One client exchange as the primary answered it; the shadow adds the candidate's outcome later."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    started_at: float = Field(default_factory=time.time)  # unix seconds, when the client's request arrived
    completed_at: float | None = None  # when the primary's response was complete (orders mirrored writes)
    request: HttpRequest
    primary: HttpResponse


class Captured(NamedTuple):
    """One exchange as the proxy captured it, in plain values: what crosses the pipe to the worker.

    The addon builds one per shadowed response on the proxy's event loop, where building and pickling the
    three pydantic models of an ``Exchange`` cost about 4x as much (bench/proxy_bench.py showed the hand-off
    at 4 % of the proxy's CPU); ``exchange()`` validates it into one, in the worker."""

    id: str
    started_at: float
    completed_at: float | None
    method: str
    path: str
    query: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes
    elapsed_ms: float | None

    def header(self, name: str) -> str | None:
        """A request header, as ``HttpRequest.header`` finds it."""
        return find_header(self.request_headers, name)

    def exchange(self) -> Exchange:
        request = HttpRequest(
            method=self.method, path=self.path, query=self.query, headers=self.request_headers, body=self.request_body
        )
        primary = HttpResponse(
            status=self.status, headers=self.response_headers, body=self.response_body, elapsed_ms=self.elapsed_ms
        )
        return Exchange(
            id=self.id, started_at=self.started_at, completed_at=self.completed_at, request=request, primary=primary
        )


class ComparisonRecord(BaseModel):
    """One judged exchange, as handed to the store (which redacts it before writing)."""

    model_config = ConfigDict(frozen=True)

    exchange: Exchange
    candidate: CandidateOutcome
    verdict: Verdict
    recorded_at: float = Field(default_factory=time.time)
