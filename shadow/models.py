"""What the proxy captures and what the store keeps, as frozen data. The bottom layer of ``shadow``."""

from __future__ import annotations

import time
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from comparators.message import HttpRequest, HttpResponse
from comparators.result import Verdict

__all__ = ["CandidateOutcome", "ComparisonRecord", "Exchange"]


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


class ComparisonRecord(BaseModel):
    """One judged exchange, as handed to the store (which redacts it before writing)."""

    model_config = ConfigDict(frozen=True)

    exchange: Exchange
    candidate: CandidateOutcome
    verdict: Verdict
    recorded_at: float = Field(default_factory=time.time)
