from comparators.result import Diff, DiffKind, Verdict, VerdictKind
from shadow.config import EventualSettings
from shadow.eventual import settle
from shadow.models import CandidateOutcome
from tests.factories import tresponse

MISMATCH = Verdict(
    kind=VerdictKind.MISMATCH,
    method="GET",
    route="/api/tasks",
    group="tasks",
    diffs=(Diff(path="/body/data/0/status", kind=DiffKind.VALUE, primary="inreview", candidate="inprogress"),),
)


class FakeTime:
    """Virtual time, so the backoff schedule is checked exactly without sleeping."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_converges_when_the_candidate_catches_up() -> None:
    time = FakeTime()
    answers = iter([VerdictKind.MISMATCH, VerdictKind.MISMATCH, VerdictKind.MATCH])

    async def reread() -> CandidateOutcome:
        return CandidateOutcome(response=tresponse())

    def judge(outcome: CandidateOutcome) -> Verdict:
        return MISMATCH.model_copy(update={"kind": next(answers)})

    settled = await settle(
        MISMATCH,
        reread=reread,
        judge=judge,
        settings=EventualSettings(window=5, first_delay=0.1, factor=2),
        sleep=time.sleep,
        clock=time.clock,
    )
    assert settled.verdict.kind is VerdictKind.CONVERGED
    assert settled.verdict.diffs == () and settled.verdict.explained == MISMATCH.diffs
    assert settled.rereads == 3 and time.sleeps == [0.1, 0.2, 0.4]
    assert settled.verdict.signature is None


async def test_never_converging_stays_a_mismatch_within_the_window() -> None:
    time = FakeTime()
    calls = 0

    async def reread() -> CandidateOutcome:
        nonlocal calls
        calls += 1
        return CandidateOutcome(error="timeout", detail="slow")

    settled = await settle(
        MISMATCH,
        reread=reread,
        judge=lambda o: MISMATCH.model_copy(update={"kind": VerdictKind.TIMEOUT}),
        settings=EventualSettings(window=1, first_delay=0.1, factor=2),
        sleep=time.sleep,
        clock=time.clock,
    )
    assert settled.verdict.kind is VerdictKind.MISMATCH and settled.verdict.diffs == MISMATCH.diffs
    assert "3 re-read(s) within 1s" in (settled.verdict.reason or "")
    assert sum(time.sleeps) <= 1 and calls == 3


async def test_non_mismatches_are_not_reread() -> None:
    async def reread() -> CandidateOutcome:
        raise AssertionError("must not re-read")

    match = MISMATCH.model_copy(update={"kind": VerdictKind.MATCH, "diffs": ()})
    settled = await settle(match, reread=reread, judge=lambda o: match, settings=EventualSettings())
    assert settled.verdict is match and settled.rereads == 0
