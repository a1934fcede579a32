"""``BatchWriter``: records from the event loop into the store, in batches, off the loop.

``submit(record)`` never blocks and never waits for SQLite: it appends to a bounded buffer, or drops the
record and counts it when the buffer is full (the proxy must not slow down because the disk is slow). A
background task writes a batch through ``asyncio.to_thread(store.record_many, batch)`` whenever
``batch_size`` records are waiting or ``flush_interval`` seconds have passed, one batch at a time, in
submission order. A failed batch is counted and reported to ``on_error``, not retried: a full disk would
fail again, and the proxy keeps running. ``aclose()`` writes what is left. With ``prune_interval`` set, the
same task also applies the store's retention (``store.prune()``, off the loop too) at most that often.

Use it from the event loop's thread only (``submit`` is not thread-safe; the store is).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from shadow.errors import StoreError
from shadow.models import ComparisonRecord

__all__ = ["BatchWriter", "RecordSink"]

log = logging.getLogger(__name__)


class RecordSink(Protocol):
    """What the writer writes into (``ResultStore`` is one)."""

    def record_many(self, records: Sequence[ComparisonRecord]) -> None: ...

    def prune(self, now: float | None = None) -> object: ...


class BatchWriter:
    def __init__(
        self,
        store: RecordSink,
        *,
        batch_size: int = 256,
        flush_interval: float = 0.5,
        capacity: int = 10_000,
        on_error: Callable[[Exception, int], None] | None = None,
        on_drop: Callable[[ComparisonRecord], None] | None = None,
        prune_interval: float | None = None,
    ) -> None:
        if batch_size < 1 or capacity < batch_size or flush_interval <= 0:
            raise ValueError("need batch_size >= 1, capacity >= batch_size and flush_interval > 0")
        self._store = store
        self._batch_size = batch_size
        self._interval = flush_interval
        self._capacity = capacity
        self._on_error = on_error
        self._on_drop = on_drop
        self._prune_interval = prune_interval
        self._last_prune = time.monotonic()
        self._buffer: collections.deque[ComparisonRecord] = collections.deque()
        self._wake = asyncio.Event()
        self._write_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.written = 0  # records the store accepted
        self.dropped = 0  # records refused because the buffer was full (or the writer closed)
        self.failed = 0  # records in batches the store could not write
        self.prunes = 0  # retention passes run

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def start(self) -> None:
        """Start the background flusher (call from inside the running loop; idempotent)."""
        if self._task is None and not self._closed:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="shadow store writer")

    def submit(self, record: ComparisonRecord) -> bool:
        """Queue one record; False when it was dropped (buffer full or writer closed)."""
        if self._closed or len(self._buffer) >= self._capacity:
            self.dropped += 1
            if self._on_drop is not None:
                self._on_drop(record)
            return False
        self._buffer.append(record)
        if len(self._buffer) >= self._batch_size:
            self._wake.set()
        return True

    async def flush(self) -> None:
        """Write everything buffered now."""
        while self._buffer:
            await self._write_one_batch()

    async def aclose(self) -> None:
        """Stop accepting, write what is buffered, stop the flusher."""
        if self._closed:
            return
        self._closed = True
        self._wake.set()
        if self._task is not None:
            await self._task
        await self.flush()

    async def __aenter__(self) -> BatchWriter:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _run(self) -> None:
        while not self._closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._interval)
            self._wake.clear()
            await self.flush()
            await self._maybe_prune()

    async def _maybe_prune(self) -> None:
        if self._prune_interval is None or time.monotonic() - self._last_prune < self._prune_interval:
            return
        self._last_prune = time.monotonic()
        async with self._write_lock:
            try:
                await asyncio.to_thread(self._store.prune)
            except Exception as exc:
                if not isinstance(exc, StoreError):
                    log.exception("store writer: unexpected error while pruning")
                if self._on_error is not None:
                    self._on_error(exc, 0)
                return
        self.prunes += 1

    async def _write_one_batch(self) -> None:
        async with self._write_lock:
            count = min(self._batch_size, len(self._buffer))
            if not count:
                return
            batch = [self._buffer.popleft() for _ in range(count)]
            try:
                await asyncio.to_thread(self._store.record_many, batch)
            except Exception as exc:  # the writer must outlive any one bad batch
                self.failed += count
                if not isinstance(exc, StoreError):
                    log.exception("store writer: unexpected error writing %d records", count)
                if self._on_error is not None:
                    self._on_error(exc, count)
                return
            self.written += count
