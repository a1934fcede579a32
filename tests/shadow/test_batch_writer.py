"""BatchWriter on a real event loop, writing into a real SQLite file through a real ResultStore."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from comparators.result import VerdictKind
from shadow.batch_writer import BatchWriter
from shadow.models import ComparisonRecord
from shadow.store import ResultStore, StoreSettings

Factory = Callable[..., ComparisonRecord]
T0 = 1_700_000_000.0


@pytest.fixture
def file_store(tmp_path: Path) -> ResultStore:
    return ResultStore.open(tmp_path / "store.db", settings=StoreSettings(redaction_key=SecretStr("k")))


def _matches(make_record: Factory, n: int, start: int = 0) -> list[ComparisonRecord]:
    return [make_record(verdict=VerdictKind.MATCH, recorded_at=T0 + start + i) for i in range(n)]


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def _exchange_ids(store: ResultStore) -> list[str]:
    return [row["exchange_id"] for row in store.db.query("SELECT exchange_id FROM comparisons ORDER BY id")]


def test_a_full_batch_is_written_without_waiting_for_the_interval(
    file_store: ResultStore, make_record: Factory
) -> None:
    async def scenario() -> None:
        writer = BatchWriter(file_store, batch_size=10, flush_interval=3600)
        writer.start()
        records = _matches(make_record, 10)
        assert all(writer.submit(r) for r in records)
        await _until(lambda: writer.written == 10)
        assert _exchange_ids(file_store) == [r.exchange.id for r in records]  # in submission order
        await writer.aclose()

    asyncio.run(scenario())


def test_a_partial_batch_is_written_after_the_interval(file_store: ResultStore, make_record: Factory) -> None:
    async def scenario() -> None:
        async with BatchWriter(file_store, batch_size=100, flush_interval=0.05) as writer:
            writer.submit(make_record())
            assert writer.pending == 1
            await _until(lambda: writer.written == 1)
            assert writer.pending == 0

    asyncio.run(scenario())
    assert file_store.totals().total == 1


def test_submit_never_blocks_and_drops_when_full(file_store: ResultStore, make_record: Factory) -> None:
    dropped: list[ComparisonRecord] = []
    errors: list[Exception] = []
    # Another connection holds the write lock, as a slow disk or a long reader would: writes must wait.
    blocker = sqlite3.connect(file_store.location, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")

    async def scenario() -> None:
        writer = BatchWriter(
            file_store,
            batch_size=5,
            flush_interval=0.01,
            capacity=20,
            on_drop=dropped.append,
            on_error=lambda e, n: errors.append(e),
        )
        writer.start()
        records = _matches(make_record, 40)
        accepted = [writer.submit(r) for r in records[:5]]
        await asyncio.sleep(0.1)  # the first batch is now stuck in the store, off the loop
        accepted += [writer.submit(r) for r in records[5:]]
        assert accepted.count(False) == writer.dropped == len(dropped) > 0
        assert writer.pending <= 20
        blocker.execute("ROLLBACK")
        await writer.aclose()
        assert writer.failed == 0, errors
        assert writer.written + writer.dropped == 40
        assert file_store.totals().total == writer.written

    try:
        asyncio.run(scenario())
    finally:
        blocker.close()


def test_a_failed_batch_is_counted_and_the_writer_goes_on(file_store: ResultStore, make_record: Factory) -> None:
    file_store.db.execute(
        "CREATE TRIGGER refuse_boom BEFORE INSERT ON comparisons WHEN new.route = '/boom'"
        " BEGIN SELECT RAISE(ABORT, 'boom refused'); END"
    )
    errors: list[tuple[Exception, int]] = []

    async def scenario() -> None:
        async with BatchWriter(
            file_store, batch_size=3, flush_interval=0.01, on_error=lambda e, n: errors.append((e, n))
        ) as writer:
            for record in [*_matches(make_record, 2), make_record(route="/boom")]:
                writer.submit(record)
            await _until(lambda: writer.failed == 3)
            for record in _matches(make_record, 3, start=10):
                writer.submit(record)
            await _until(lambda: writer.written == 3)

    asyncio.run(scenario())
    assert [(type(e).__name__, n) for e, n in errors] == [("StoreError", 3)]
    assert "boom refused" in str(errors[0][0])
    assert file_store.totals().total == 3


def test_aclose_writes_what_is_left_and_refuses_more(file_store: ResultStore, make_record: Factory) -> None:
    async def scenario() -> BatchWriter:
        writer = BatchWriter(file_store, batch_size=1000, flush_interval=3600)
        writer.start()
        for record in _matches(make_record, 7):
            writer.submit(record)
        await writer.aclose()
        assert not writer.submit(make_record())
        await writer.aclose()  # idempotent
        return writer

    writer = asyncio.run(scenario())
    assert (writer.written, writer.dropped, writer.pending) == (7, 1, 0)
    assert file_store.totals().total == 7


def test_bad_sizes_are_refused(file_store: ResultStore) -> None:
    with pytest.raises(ValueError, match="capacity >= batch_size"):
        BatchWriter(file_store, batch_size=10, capacity=5)


def test_retention_runs_from_the_writer_when_asked(tmp_path: Path, make_record: Factory) -> None:
    store = ResultStore.open(
        tmp_path / "store.db", settings=StoreSettings(redaction_key=SecretStr("k"), retention_days=1)
    )
    store.record_many([make_record(recorded_at=T0)])  # far older than a day

    async def scenario() -> BatchWriter:
        async with BatchWriter(store, batch_size=10, flush_interval=0.01, prune_interval=0.01) as writer:
            writer.submit(make_record(recorded_at=time.time()))
            await _until(lambda: writer.prunes >= 1 and writer.written == 1)
        return writer

    asyncio.run(scenario())
    assert store.totals().total == 1  # the old one is gone, the new one stays
    assert store.totals().first_recorded_at != T0
