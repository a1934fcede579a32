"""A circuit breaker for candidate calls: stop calling a candidate that keeps failing, probe it later.

States: ``closed`` (calls go through), ``open`` (nothing is sent; each exchange is recorded as
``candidate_error``/breaker_open), ``half_open`` (after ``reset_after`` seconds one probe is let through;
its success closes the breaker, its failure opens it again). Pure state: time comes from ``clock``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from shadow.config import BreakerSettings

__all__ = ["BreakerState", "CircuitBreaker"]

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    def __init__(
        self,
        settings: BreakerSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[BreakerState], None] | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._on_change = on_change
        self._state: BreakerState = "closed"
        self._failures = 0
        self._successes = 0
        self._opened_at = 0.0
        self._probe_out = False

    @property
    def state(self) -> BreakerState:
        if self._state == "open" and self._clock() - self._opened_at >= self._settings.reset_after:
            self._set("half_open")
        return self._state

    def allow(self) -> bool:
        """May a call go out now? In ``half_open`` only one probe is out at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self._probe_out:
            self._probe_out = True
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        if self._state == "half_open":
            self._probe_out = False
            self._successes += 1
            if self._successes >= self._settings.success_threshold:
                self._set("closed")

    def record_failure(self) -> None:
        if self._state == "half_open":
            self._open()
            return
        self._failures += 1
        if self._state == "closed" and self._failures >= self._settings.failure_threshold:
            self._open()

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._probe_out = False
        self._set("open")

    def _set(self, state: BreakerState) -> None:
        if state == self._state:
            return
        self._state = state
        self._failures = 0
        self._successes = 0
        if self._on_change is not None:
            self._on_change(state)
