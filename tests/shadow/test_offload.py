"""The proxy's end of the worker process, with the real ``python -m shadow.worker`` child: real profile,
comparator and evidence store; the candidate is a local test server."""

import asyncio
import logging
import os
import signal
from pathlib import Path

import pytest

from shadow.config import load_settings
from shadow.errors import ConfigError
from shadow.offload import OffloadedPipeline
from shadow.store import ResultStore
from tests.factories import tcaptured, texchange, trequest, tresponse
from tests.faults import FaultServer

OK_BODY = b'{"success":true,"data":null,"error_data":null,"message":null}'
JSON = (("content-type", "application/json"),)


async def test_exchanges_are_judged_in_the_worker_and_stored(tmp_path: Path) -> None:
    store = tmp_path / "evidence.db"
    async with FaultServer("ok") as candidate:
        pipeline = OffloadedPipeline(load_settings(candidate=candidate.url, store=store))
        await pipeline.start()
        assert pipeline.pid is not None and pipeline.pid != os.getpid()
        for n in range(3):
            request = trequest(method="POST", path=f"/api/projects/{n:08d}-0000-4000-8000-000000000000/open-editor")
            fields = {"request": request, "primary": tresponse(body=OK_BODY, headers=JSON)}
            # The addon hands over plain captures; an Exchange takes the same way.
            assert pipeline.submit_captured(tcaptured(**fields)) if n else pipeline.submit(texchange(**fields))
        ticket = pipeline.open_stream(
            trequest(path="/api/events"),
            tresponse(body=b"", headers=(("content-type", "text/event-stream"),)),
            exchange_id="s1",
        )
        assert ticket is not None
        ticket.finish(b"", True)
        await pipeline.stop(drain=5)
    assert [r.method for r in candidate.requests].count("POST") == 3
    assert all("idempotency-key" in r.headers for r in candidate.requests if r.method == "POST")
    with ResultStore.open(store, create=False) as evidence:
        totals = evidence.totals()
    assert totals.total == 4 and totals.by_verdict.get("match") == 3


async def test_a_full_pipe_sheds_instead_of_waiting() -> None:
    async with FaultServer("ok") as candidate:
        pipeline = OffloadedPipeline(load_settings(candidate=candidate.url, offload_buffer_bytes=1 << 16))
        await pipeline.start()
        assert pipeline.pid is not None
        os.kill(pipeline.pid, signal.SIGSTOP)  # the worker stops reading: the pipe fills up
        try:
            big = texchange(primary=tresponse(body=b"x" * 40_000, headers=JSON))
            accepted = [pipeline.submit(big) for _ in range(200)]
        finally:
            os.kill(pipeline.pid, signal.SIGCONT)
        assert accepted[0] and not all(accepted)
        await pipeline.stop(drain=2)


async def test_a_dead_worker_is_logged_once_and_the_proxy_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    pipeline = OffloadedPipeline(load_settings(candidate="http://127.0.0.1:9"))
    await pipeline.start()
    assert pipeline.pid is not None
    os.kill(pipeline.pid, signal.SIGKILL)
    await asyncio.sleep(0.3)
    with caplog.at_level(logging.ERROR):
        results = [pipeline.submit(texchange()) for _ in range(20)]
        await asyncio.sleep(0.1)
        results += [pipeline.submit(texchange()) for _ in range(5)]
    assert results[-1] is False
    assert caplog.text.count("keeps serving without a shadow") == 1
    await pipeline.stop(drain=0)


async def test_disabled_or_sampled_out_reads_are_not_even_sent() -> None:
    pipeline = OffloadedPipeline(load_settings(candidate="http://127.0.0.1:9", sample=0))
    # Not started: a frame that had to be sent would count as shed; these are decided before that.
    assert not pipeline.submit(texchange())
    assert not pipeline.submit_captured(tcaptured())
    assert pipeline.open_stream(trequest(path="/api/events"), tresponse(), exchange_id="s") is None
    assert pipeline.unreported_shed == 0
    assert not pipeline.submit(texchange(request=trequest(method="POST")))  # a write would go: not started
    assert not pipeline.submit_captured(tcaptured(request=trequest(method="POST")))
    assert pipeline.unreported_shed == 2


@pytest.mark.parametrize(("priority", "policy"), [("idle", os.SCHED_IDLE), ("nice", os.SCHED_OTHER)])
async def test_the_worker_yields_the_cpu_to_the_proxy(priority: str, policy: int) -> None:
    pipeline = OffloadedPipeline(load_settings(candidate="http://127.0.0.1:9", worker_priority=priority))
    await pipeline.start()
    try:
        assert pipeline.pid is not None
        assert os.sched_getscheduler(pipeline.pid) == policy
        assert os.getpriority(os.PRIO_PROCESS, pipeline.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 19)
        # The policy ranks tasks within one scheduling group: a session of its own would be an autogroup of
        # its own, competing with the proxy's at full weight.
        assert os.getsid(pipeline.pid) == os.getsid(0)
    finally:
        await pipeline.stop(drain=1)


async def test_the_worker_runs_on_the_cpus_it_is_given() -> None:
    cpu = max(os.sched_getaffinity(0))
    pipeline = OffloadedPipeline(load_settings(candidate="http://127.0.0.1:9", worker_cpus=[cpu]))
    await pipeline.start()
    try:
        assert pipeline.pid is not None
        assert os.sched_getaffinity(pipeline.pid) == {cpu}
        assert os.sched_getscheduler(pipeline.pid) == os.SCHED_IDLE  # the priority still applies
    finally:
        await pipeline.stop(drain=1)


async def test_the_worker_may_run_on_cpus_the_proxy_is_not_pinned_to() -> None:
    # The layout of a pinned proxy: its loop on one core, the worker on the others' idle time.
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        pytest.skip("needs two CPUs")
    os.sched_setaffinity(0, cpus[-1:])  # this test process stands in for the proxy
    try:
        pipeline = OffloadedPipeline(load_settings(candidate="http://127.0.0.1:9", worker_cpus=cpus[:-1]))
        await pipeline.start()
    finally:
        os.sched_setaffinity(0, cpus)
    try:
        assert pipeline.pid is not None
        assert os.sched_getaffinity(pipeline.pid) == set(cpus[:-1])
    finally:
        await pipeline.stop(drain=1)


async def test_without_cpus_the_worker_runs_where_the_proxy_does() -> None:
    pipeline = OffloadedPipeline(load_settings(candidate="http://127.0.0.1:9"))
    await pipeline.start()
    try:
        assert pipeline.pid is not None
        assert os.sched_getaffinity(pipeline.pid) == os.sched_getaffinity(0)
    finally:
        await pipeline.stop(drain=1)


def test_cpus_this_machine_does_not_have_are_refused_at_start_up() -> None:
    beyond = os.cpu_count() or 1
    with pytest.raises(ConfigError, match=rf"worker_cpus: .*\[{beyond}\] are not among this machine's CPUs"):
        load_settings(candidate="http://c", worker_cpus=[beyond])
    with pytest.raises(ConfigError, match="worker_cpus"):
        load_settings(candidate="http://c", worker_cpus="one")


def test_cpus_are_refused_where_the_platform_cannot_place_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_setaffinity")  # as on macOS: the worker could not be started with them
    with pytest.raises(ConfigError, match=r"worker_cpus: .*cannot place a process on CPUs"):
        load_settings(candidate="http://c", worker_cpus=[0])
    assert load_settings(candidate="http://c").worker_cpus == ()


def test_an_unknown_worker_priority_is_refused() -> None:
    with pytest.raises(ConfigError, match="worker_priority"):
        load_settings(candidate="http://c", worker_priority="realtime")
