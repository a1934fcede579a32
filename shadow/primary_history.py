"""The primary's recent answers to eventual reads, by request (method, path, query).

A client that polls (``GET /api/execution-processes?...`` until an agent run has ended) asks the primary the
same thing again and again. The candidate is asked each time a little later (the shadow's lag), so when the
state changes quickly it may already have passed the state the primary showed and be in the one the primary
showed next. ``EventualSettings.later_primary`` lets such a re-read count as converged when it equals one of
the primary's *later* answers to the same request: the candidate went where the primary went. Bounded:
``per_key`` answers per request, ``max_keys`` requests (least recently seen dropped first).
"""

from __future__ import annotations

from collections import OrderedDict, deque

from shadow.models import Exchange

__all__ = ["PrimaryHistory"]


class PrimaryHistory:
    def __init__(self, *, max_keys: int = 256, per_key: int = 8) -> None:
        self._max_keys = max_keys
        self._per_key = per_key
        self._answers: OrderedDict[tuple[str, str, str], deque[Exchange]] = OrderedDict()

    def __len__(self) -> int:
        return sum(len(answers) for answers in self._answers.values())

    def add(self, exchange: Exchange) -> None:
        key = _key(exchange)
        answers = self._answers.pop(key, None) or deque(maxlen=self._per_key)
        answers.append(exchange)
        self._answers[key] = answers  # most recently seen last
        while len(self._answers) > self._max_keys:
            self._answers.popitem(last=False)

    def after(self, exchange: Exchange) -> list[Exchange]:
        """The primary's answers to the same request that completed after ``exchange``, oldest first."""
        since = exchange.completed_at if exchange.completed_at is not None else exchange.started_at
        return [
            other
            for other in self._answers.get(_key(exchange), ())
            if other.id != exchange.id and (other.completed_at or other.started_at) > since
        ]


def _key(exchange: Exchange) -> tuple[str, str, str]:
    request = exchange.request
    return request.method, request.path, request.query
