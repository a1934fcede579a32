"""Diff and Verdict: the only shapes of a comparison that the rest of the project sees."""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

__all__ = ["STRUCTURAL_KINDS", "Diff", "DiffKind", "Verdict", "VerdictKind", "signature_of"]


class VerdictKind(StrEnum):
    MATCH = "match"
    MISMATCH = "mismatch"
    NOISE = "noise"  # every difference is explained by a noise rule or by learned noise evidence
    CONVERGED = "converged"  # differed at first read, equal after re-reading within the window
    CANDIDATE_ERROR = "candidate_error"  # the candidate could not answer (refused, reset, garbage)
    TIMEOUT = "timeout"
    SHED = "shed"  # not compared: the shadow was full and dropped it on purpose
    INTENDED = "intended"  # every difference is a documented, unexpired intended divergence


class DiffKind(StrEnum):
    STATUS = "status"  # HTTP status code differs
    HEADER = "header"  # a compared header (content-type, ...) differs
    ERROR_SHAPE = "error_shape"  # the failure shapes (A..F) differ
    VALUE = "value"  # same type, different value
    TYPE = "type"  # JSON type differs
    MISSING = "missing"  # present in the primary, absent in the candidate
    EXTRA = "extra"  # absent in the primary, present in the candidate
    LENGTH = "length"  # array lengths differ
    ORDER = "order"  # same elements, order differs where order matters
    FORMAT = "format"  # a masked value's format class differs (e.g. timestamp precision, not a timestamp)
    BODY = "body"  # bodies that are not JSON differ (bytes, text, html)
    EVENT_MISSING = "event_missing"  # a stream event the primary sent is absent from the candidate
    EVENT_EXTRA = "event_extra"
    TRANSITION_ORDER = "transition_order"  # per-entity state transitions happened in another order
    STREAM_STATE = "stream_state"  # reconstructed final stream state differs (details in path)


# A difference of one of these kinds is never suppressed by learned noise.
STRUCTURAL_KINDS = frozenset(
    {DiffKind.TYPE, DiffKind.MISSING, DiffKind.EXTRA, DiffKind.LENGTH, DiffKind.STATUS, DiffKind.ERROR_SHAPE}
)


class Diff(BaseModel):
    """One difference. ``path`` is a JSON Pointer rooted at the exchange: ``/status``,
    ``/headers/content-type``, ``/body/data/0/status``, ``/stream/entities/EXECUTION_PROCESS:<uuid:1>``."""

    model_config = ConfigDict(frozen=True)

    path: str
    kind: DiffKind
    primary: Any = None
    candidate: Any = None
    note: str | None = None

    @property
    def structural(self) -> bool:
        return self.kind in STRUCTURAL_KINDS


_INDEX = re.compile(r"/\d+(?=/|$)")


def _generalize(path: str) -> str:
    # Array indices do not belong in a signature: the same bug at /data/3 and /data/7 is one bug.
    return _INDEX.sub("/*", path)


def signature_of(method: str, route: str, diffs: list[Diff]) -> str:
    """Stable id of a mismatch: route + generalized field paths + kinds, order-insensitive."""
    parts = sorted({f"{_generalize(d.path)}:{d.kind.value}" for d in diffs})
    text = "\n".join([method.upper(), route, *parts])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


class Verdict(BaseModel):
    """The judgement of one exchange. ``diffs`` are unexplained differences; ``explained`` are the ones a
    rule (noise, intended divergence) accounted for, kept as evidence, never hidden."""

    model_config = ConfigDict(frozen=True)

    kind: VerdictKind
    method: str
    route: str
    group: str
    diffs: tuple[Diff, ...] = ()
    explained: tuple[Diff, ...] = ()
    reason: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def signature(self) -> str | None:
        if self.kind is not VerdictKind.MISMATCH:
            return None
        return signature_of(self.method, self.route, list(self.diffs))
