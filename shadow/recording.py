"""RecordWriter: hands comparison records to the store in batches, off the event loop.

The store (``shadow.store.ResultStore``) is synchronous SQLite, so each batch goes through
``asyncio.to_thread``. The buffer in front of it is bounded: ``submit`` never waits; when the buffer is full
the record is dropped and counted (the proxy never waits for the disk). A failed batch is counted and
handed to ``on_error`` (the pipeline logs it and counts it), not retried, and writing goes on.
Same interface as the evidence side's ``shadow.store.BatchWriter``, so either can be used.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol

from shadow.config import WriterSettings
from shadow.models import ComparisonRecord
from shadow.tasks import spawn

__all__ = ["RecordWriter", "Store"]


class Store(Protocol):
    def record_many(self, records: Sequence[ComparisonRecord]) -> None: ...
    def close(self) -> None: ...


class RecordWriter:
    def __init__(
        self,
        store: Store,
        settings: WriterSettings,
        *,
        on_error: Callable[[Exception, int], None] | None = None,
    ) -> None:
        self._store = store
        self._settings = settings
        self._on_error = on_error
        self._buffer: deque[ComparisonRecord] = deque()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.written = 0
        self.dropped = 0
        self.failed = 0

    def start(self) -> None:
        if self._task is None and not self._closed:
            self._task = spawn(self._run(), name="shadow store writer")

    def submit(self, record: ComparisonRecord) -> bool:
        """Never blocks; False when the record was dropped (buffer full, or writer closed)."""
        if self._closed or len(self._buffer) >= self._settings.capacity:
            self.dropped += 1
            return False
        self._buffer.append(record)
        if len(self._buffer) >= self._settings.batch_size:
            self._wake.set()
        return True

    async def flush(self) -> None:
        """Write everything buffered now."""
        while self._buffer:
            await self._write_batch()

    async def aclose(self) -> None:
        """Stop accepting, write what is left, stop the background task (the store stays open)."""
        if self._closed:
            return
        self._closed = True
        self._wake.set()
        if self._task is not None:
            await self._task
        await self.flush()

    async def _run(self) -> None:
        while not self._closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.flush_interval)
            self._wake.clear()
            await self.flush()

    async def _write_batch(self) -> None:
        async with self._lock:
            count = min(len(self._buffer), self._settings.batch_size)
            if not count:
                return
            batch = [self._buffer.popleft() for _ in range(count)]
            try:
                await asyncio.to_thread(self._store.record_many, batch)
            except Exception as exc:  # StoreError or a store bug: counted, reported, the proxy goes on
                self.failed += count
                if self._on_error is not None:
                    self._on_error(exc, count)
                return
            self.written += count
