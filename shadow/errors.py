"""Exceptions of the teeing service. Callers catch a base class (httpx style).

Tree::

    ShadowError                  anything the shadow raises on purpose
    ├── ConfigError              bad settings or options (at start-up, never per exchange)
    ├── StoreError               the evidence store cannot be opened, migrated, written or read
    ├── CaptureError             a capture file for replay cannot be read (names the file and the reason)
    ├── ShedError                the shadow is full: the exchange was dropped on purpose, never waited for
    └── CandidateError           the candidate gave no usable answer; ``.kind`` says how
        ├── CandidateTimeout     no complete answer within the candidate timeout
        ├── CandidateRefused     the connection was refused (the request never left: safe to resend)
        ├── CandidateReset       the connection broke after the request may have arrived
        ├── CandidateProtocolError   the answer was not valid HTTP (garbage, truncated)
        └── BreakerOpen          the circuit breaker is open: nothing was sent

``CandidateError.kind`` is one of the ``CandidateOutcome.error`` literals in ``shadow.models``.
"""

from __future__ import annotations

from typing import ClassVar, Literal

__all__ = [
    "BreakerOpen",
    "CandidateError",
    "CandidateProtocolError",
    "CandidateRefused",
    "CandidateReset",
    "CandidateTimeout",
    "CaptureError",
    "ConfigError",
    "ShadowError",
    "ShedError",
    "StoreError",
]

CandidateErrorKind = Literal["timeout", "refused", "reset", "protocol", "breaker_open", "other"]


class ShadowError(Exception):
    """Base of every exception the shadow raises on purpose."""


class ConfigError(ShadowError):
    """Settings or options are invalid; the message is one line naming the setting."""


class StoreError(ShadowError):
    """The evidence store cannot be opened or written."""


class CaptureError(ShadowError):
    """A capture (HAR or mitmproxy flow dump) cannot be read."""


class ShedError(ShadowError):
    """The shadow's bounded queue is full; the exchange is counted as shed, not compared."""


class CandidateError(ShadowError):
    """The candidate gave no usable answer."""

    kind: ClassVar[CandidateErrorKind] = "other"


class CandidateTimeout(CandidateError):
    kind = "timeout"


class CandidateRefused(CandidateError):
    kind = "refused"


class CandidateReset(CandidateError):
    kind = "reset"


class CandidateProtocolError(CandidateError):
    kind = "protocol"


class BreakerOpen(CandidateError):
    kind = "breaker_open"
