import asyncio
import threading
from collections.abc import Sequence

from comparators.result import Verdict, VerdictKind
from shadow.config import WriterSettings
from shadow.errors import StoreError
from shadow.models import CandidateOutcome, ComparisonRecord
from shadow.recording import RecordWriter
from tests.factories import texchange


def record(n: int) -> ComparisonRecord:
    verdict = Verdict(kind=VerdictKind.MATCH, method="GET", route="/api/projects", group="projects")
    return ComparisonRecord(exchange=texchange(id=f"ex{n}"), candidate=CandidateOutcome(), verdict=verdict)


class ThreadCheckingStore:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.threads: set[int] = set()
        self.closed = False

    def record_many(self, records: Sequence[ComparisonRecord]) -> None:
        self.threads.add(threading.get_ident())
        self.batches.append([r.exchange.id for r in records])

    def close(self) -> None:
        self.closed = True


async def test_batches_are_written_off_the_event_loop() -> None:
    store = ThreadCheckingStore()
    writer = RecordWriter(store, WriterSettings(batch_size=3, flush_interval=0.05))
    writer.start()
    for n in range(7):
        writer.submit(record(n))
    await asyncio.sleep(0.2)
    await writer.aclose()
    assert [i for batch in store.batches for i in batch] == [f"ex{n}" for n in range(7)]
    assert max(len(batch) for batch in store.batches) == 3
    assert threading.get_ident() not in store.threads
    assert not store.closed and writer.written == 7  # closing the store is the owner's job
    assert not writer.submit(record(8)) and writer.dropped == 1


async def test_a_full_queue_drops_and_counts() -> None:
    store = ThreadCheckingStore()
    writer = RecordWriter(store, WriterSettings(batch_size=2, capacity=2, flush_interval=10))
    for n in range(5):
        writer.submit(record(n))
    assert writer.dropped == 3
    await writer.flush()
    assert store.batches == [["ex0", "ex1"]]


async def test_store_errors_are_reported_and_writing_goes_on() -> None:
    class Flaky(ThreadCheckingStore):
        def record_many(self, records: Sequence[ComparisonRecord]) -> None:
            if not self.batches:
                self.batches.append([])
                raise StoreError("disk full")
            super().record_many(records)

    errors: list[tuple[str, int]] = []
    store = Flaky()
    writer = RecordWriter(store, WriterSettings(batch_size=1), on_error=lambda exc, n: errors.append((str(exc), n)))
    writer.submit(record(1))
    writer.submit(record(2))
    await writer.flush()
    assert errors == [("disk full", 1)]
    assert writer.failed == 1 and writer.written == 1 and store.batches[-1] == ["ex2"]
