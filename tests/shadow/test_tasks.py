import asyncio
import gc
import logging

import pytest

from shadow.tasks import cancel_and_wait, running_tasks, spawn


async def test_spawned_task_survives_without_a_reference() -> None:
    finished = asyncio.Event()

    async def work() -> None:
        await asyncio.sleep(0.01)
        finished.set()

    spawn(work(), name="orphan")
    gc.collect()
    await asyncio.wait_for(finished.wait(), 2)
    await asyncio.sleep(0)
    assert not running_tasks()


async def test_cancel_and_wait_ends_tasks() -> None:
    task = spawn(asyncio.sleep(60), name="sleeper")
    assert task in running_tasks()
    await cancel_and_wait([task])
    assert task.cancelled()


async def test_a_crash_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def boom() -> None:
        raise RuntimeError("kaput")

    task = spawn(boom(), name="boom")
    with caplog.at_level(logging.ERROR):
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0)
    assert "boom" in caplog.text and "kaput" in caplog.text
