"""RecordWriter: hands comparison records to the store in batches, off the event loop.

The store (``shadow.store.ResultStore``) is synchronous SQLite, so each batch goes through
``asyncio.to_thread``. The queue in front of it is bounded: when it is full a record is dropped and
counted (the proxy never waits for the disk). A ``StoreError`` is logged as one clear line the first time
(and then once a minute at most), counted, and the writer keeps going; the proxy keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol

from shadow.config import StoreSettings
from shadow.errors import StoreError
from shadow.models import ComparisonRecord
from shadow.tasks import cancel_and_wait, spawn

__all__ = ["RecordWriter", "Store"]

log = logging.getLogger(__name__)
_REPEAT_LOG_AFTER = 60.0


class Store(Protocol):
    def record_many(self, records: Sequence[ComparisonRecord]) -> None: ...
    def close(self) -> None: ...


class RecordWriter:
    def __init__(
        self, store: Store | None, settings: StoreSettings, *, on_error: Callable[[Exception], None] | None = None
    ) -> None:
        self._store = store
        self._settings = settings
        self._on_error = on_error
        self._queue: deque[ComparisonRecord] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._busy = False
        self._last_error_log = -_REPEAT_LOG_AFTER
        self.written = 0
        self.dropped = 0
        self.failed = 0

    def start(self) -> None:
        if self._store is not None and self._task is None:
            self._task = spawn(self._run(), name="shadow store writer")

    def put(self, record: ComparisonRecord) -> None:
        """Never blocks: a full queue drops the record (counted in ``dropped``)."""
        if self._store is None:
            return
        if len(self._queue) >= self._settings.max_queued:
            self.dropped += 1
            return
        self._queue.append(record)
        if len(self._queue) >= self._settings.batch_size:
            self._wakeup.set()

    async def flush(self) -> None:
        """Write everything queued now (used by drain/stop and by replay)."""
        while self._store is not None and (self._queue or self._busy):
            if self._queue and not self._busy:
                await self._write_batch()
            else:
                await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait([self._task])
            self._task = None
        self._busy = False
        await self.flush()
        if self._store is not None:
            try:
                await asyncio.to_thread(self._store.close)
            except Exception as exc:
                log.error("shadow: closing the store failed: %s", exc)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._settings.flush_seconds)
            self._wakeup.clear()
            while self._queue:
                await self._write_batch()

    async def _write_batch(self) -> None:
        assert self._store is not None
        batch = [self._queue.popleft() for _ in range(min(len(self._queue), self._settings.batch_size))]
        self._busy = True
        try:
            await asyncio.to_thread(self._store.record_many, batch)
            self.written += len(batch)
        except StoreError as exc:
            self._failed(exc, len(batch))
        except Exception as exc:  # any store bug: same treatment, the proxy goes on
            self._failed(exc, len(batch))
        finally:
            self._busy = False

    def _failed(self, exc: Exception, lost: int) -> None:
        self.failed += lost
        now = time.monotonic()
        if now - self._last_error_log >= _REPEAT_LOG_AFTER:
            self._last_error_log = now
            log.error("shadow: the evidence store failed (%d record(s) lost, proxy keeps serving): %s", lost, exc)
        if self._on_error is not None:
            self._on_error(exc)
