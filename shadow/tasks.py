"""Background tasks that are never garbage-collected mid-flight.

The event loop keeps only weak references to tasks, so a task nobody holds may vanish before it ends
(mitmproxy's ``asyncio_utils.create_task(..., keep_ref=True)`` exists for the same reason). Every task of
the shadow is started here; a bare ``asyncio.create_task`` is banned by ruff (TID251).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable
from typing import Any

__all__ = ["cancel_and_wait", "running_tasks", "spawn"]

log = logging.getLogger(__name__)

_KEEP_ALIVE: set[asyncio.Task[Any]] = set()


def spawn[T](coro: Coroutine[Any, Any, T], *, name: str) -> asyncio.Task[T]:
    """Start ``coro`` as a named task and hold a reference until it ends. A crash is logged, not lost."""
    task = asyncio.create_task(coro, name=name)  # noqa: TID251 - the one sanctioned call
    _KEEP_ALIVE.add(task)
    task.add_done_callback(_forget)
    return task


def running_tasks() -> frozenset[asyncio.Task[Any]]:
    """The tasks started by :func:`spawn` that have not ended (for tests and shutdown checks)."""
    return frozenset(task for task in _KEEP_ALIVE if not task.done())


async def cancel_and_wait(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and wait until each has really ended."""
    pending = [task for task in tasks if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)


def _forget(task: asyncio.Task[Any]) -> None:
    _KEEP_ALIVE.discard(task)
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("shadow task %r crashed: %s", task.get_name(), exc, exc_info=exc)
