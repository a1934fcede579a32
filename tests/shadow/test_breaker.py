from shadow.breaker import BreakerState, CircuitBreaker
from shadow.config import BreakerSettings


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make(**kwargs: float) -> tuple[CircuitBreaker, Clock, list[BreakerState]]:
    clock, changes = Clock(), []
    breaker = CircuitBreaker(BreakerSettings(**kwargs), clock=clock, on_change=changes.append)  # type: ignore[arg-type]
    return breaker, clock, changes


def test_opens_after_threshold_failures_in_a_row() -> None:
    breaker, _, changes = make(failure_threshold=3)
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    breaker.record_success()  # a success resets the count
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state == "closed"
    breaker.record_failure()
    assert breaker.state == "open" and not breaker.allow()
    assert changes == ["open"]


def test_half_open_lets_one_probe_through_then_closes() -> None:
    breaker, clock, changes = make(failure_threshold=1, reset_after=10)
    breaker.record_failure()
    clock.now = 9.9
    assert not breaker.allow()
    clock.now = 10.0
    assert breaker.state == "half_open"
    assert breaker.allow()
    assert not breaker.allow()  # only one probe out at a time
    breaker.record_success()
    assert breaker.state == "closed" and breaker.allow()
    assert changes == ["open", "half_open", "closed"]


def test_failed_probe_opens_again_for_a_full_period() -> None:
    breaker, clock, changes = make(failure_threshold=1, reset_after=5)
    breaker.record_failure()
    clock.now = 5
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open"
    clock.now = 9
    assert not breaker.allow()
    clock.now = 10
    assert breaker.allow()
    assert changes == ["open", "half_open", "open", "half_open"]


def test_success_threshold_needs_several_probes() -> None:
    breaker, clock, _ = make(failure_threshold=1, reset_after=1, success_threshold=2)
    breaker.record_failure()
    clock.now = 1
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == "half_open"
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == "closed"
