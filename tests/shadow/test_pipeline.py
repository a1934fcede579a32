"""The pipeline with plain collaborators: the candidate is ``httpx.MockTransport`` (the HTTP boundary), the
comparator is a small stand-in (status + JSON with candidate ids mapped back), store and metrics are
in-test fakes recording what they were given."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import orjson
import pytest

from comparators.message import HttpResponse
from comparators.result import Verdict, VerdictKind
from shadow.config import ShadowSettings, load_settings
from shadow.pipeline import Pipeline
from shadow.tee import CandidateClient
from tests.factories import TMetrics, TProfile, TStore, tcompare, texchange, trequest, tresponse

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
P1, P2 = str(uuid.UUID(int=1)), str(uuid.UUID(int=2))
C1, C2 = str(uuid.UUID(int=101)), str(uuid.UUID(int=102))


Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]


def envelope(data: object) -> bytes:
    return orjson.dumps({"success": True, "data": data, "error_data": None, "message": None})


def json_response(data: object, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=envelope(data), headers={"content-type": "application/json"})


def primary_json(data: object, status: int = 200) -> HttpResponse:
    return tresponse(status=status, body=envelope(data), headers=(("content-type", "application/json"),))


@pytest.fixture
async def make_pipeline() -> Any:
    made: list[Pipeline] = []

    async def build(
        handler: Handler, *, profile: TProfile | None = None, store: TStore | None = None, **overrides: Any
    ) -> tuple[Pipeline, TStore, TMetrics]:
        settings: ShadowSettings = load_settings(candidate="http://candidate", **overrides)
        store = store or TStore()
        metrics = TMetrics()
        client = CandidateClient(
            "http://candidate", timeout=settings.candidate_timeout, transport=httpx.MockTransport(handler)
        )
        pipeline = Pipeline(
            settings,
            profile=profile or TProfile(),
            compare=tcompare,
            client=client,
            store=store,
            metrics=metrics,
        )
        await pipeline.start()
        made.append(pipeline)
        return pipeline, store, metrics

    yield build
    for pipeline in made:
        await pipeline.stop()


async def finish(pipeline: Pipeline) -> None:
    assert await pipeline.drain(5)
    await pipeline.stop()


async def test_a_matching_exchange_is_recorded_and_counted(make_pipeline: Any) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"id": C1, "name": "p"})

    pipeline, store, metrics = await make_pipeline(handler)
    assert pipeline.submit(texchange(primary=primary_json({"id": P1, "name": "p"})))
    await finish(pipeline)
    assert [r.verdict.kind for r in store.records] == [VerdictKind.MATCH]
    assert store.closed
    assert ("projects", "GET", "match") in metrics.named("exchange")
    assert metrics.named("correlation_size")[-1] == (1,)
    assert {side for side, *_ in metrics.named("latency")} == {"primary", "candidate"}


async def test_writes_reach_the_candidate_in_primary_order_despite_jitter(make_pipeline: Any) -> None:
    seen: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(random.uniform(0, 0.01))
        seen.append(orjson.loads(request.content)["n"])
        return json_response(None)

    pipeline, _, _ = await make_pipeline(handler, workers=8)
    for n in range(30):
        request = trequest(method="PUT", path="/api/tasks/x", json={"n": n})
        pipeline.submit(texchange(request=request, primary=primary_json(None), started_at=n, completed_at=n + 0.5))
    await finish(pipeline)
    assert seen == list(range(30))


async def test_a_read_is_sent_after_the_write_it_followed(make_pipeline: Any) -> None:
    seen: list[str] = []
    state = {"title": "old"}

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if request.method == "PUT":
            await asyncio.sleep(0.05)  # a slow write: the read must still wait for it
            state["title"] = "new"
        return json_response(dict(state))

    pipeline, store, _ = await make_pipeline(handler)
    put = trequest(method="PUT", path="/api/tasks/t", json={"title": "new"})
    pipeline.submit(texchange(request=put, primary=primary_json({"title": "new"}), started_at=0, completed_at=1))
    pipeline.submit(
        texchange(
            request=trequest(path="/api/tasks/t"),
            primary=primary_json({"title": "new"}),
            started_at=2,
            completed_at=2.1,
        )
    )
    await finish(pipeline)
    assert seen == ["PUT", "GET"]
    assert [r.verdict.kind for r in store.records] == [VerdictKind.MATCH, VerdictKind.MATCH]


async def test_ids_are_learned_then_rewritten_and_mapped_back(make_pipeline: Any) -> None:
    paths: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        if request.method == "POST":
            return json_response({"id": C1, "project_id": C2})
        return json_response({"id": C1, "project_id": C2, "title": "t"})

    pipeline, store, _ = await make_pipeline(handler)
    create = trequest(method="POST", path="/api/tasks", json={"project_id": P2, "title": "t"})
    pipeline.submit(
        texchange(request=create, primary=primary_json({"id": P1, "project_id": P2}), started_at=0, completed_at=1)
    )
    read = trequest(path=f"/api/tasks/{P1}")
    pipeline.submit(
        texchange(
            request=read, primary=primary_json({"id": P1, "project_id": P2, "title": "t"}), started_at=2, completed_at=3
        )
    )
    await finish(pipeline)
    assert paths == ["/api/tasks", f"/api/tasks/{C1}"]
    assert [r.verdict.kind for r in store.records] == [VerdictKind.MATCH, VerdictKind.MATCH]
    assert pipeline.ids.candidate_of(P1) == C1


async def test_an_id_conflict_is_a_recorded_finding(make_pipeline: Any) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"id": C2})  # answers with another entity than the one it answered before

    pipeline, store, _ = await make_pipeline(handler)
    pipeline.ids.pair(P1, C1)
    pipeline.submit(texchange(request=trequest(path=f"/api/tasks/{P1}"), primary=primary_json({"id": P1})))
    await finish(pipeline)
    [record] = store.records
    assert record.verdict.kind is VerdictKind.MISMATCH
    assert any("id conflict" in (d.note or "") for d in record.verdict.diffs)
    assert pipeline.ids.conflicts == 1


async def test_full_shadow_sheds_at_once_and_records_it(make_pipeline: Any) -> None:
    gate = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        await gate.wait()
        return json_response(None)

    pipeline, store, metrics = await make_pipeline(handler, max_pending=2, workers=2)
    accepted = [pipeline.submit(texchange()) for _ in range(3)]
    assert accepted == [True, True, False]
    gate.set()
    await finish(pipeline)
    kinds = sorted(r.verdict.kind.value for r in store.records)
    assert kinds == ["mismatch", "mismatch", "shed"]
    assert metrics.named("shed") == [("projects",)]


async def test_timeouts_errors_and_the_breaker(make_pipeline: Any) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/slow":
            await asyncio.sleep(1)
        raise httpx.ConnectError("refused", request=request)

    pipeline, store, metrics = await make_pipeline(
        handler,
        candidate_timeout=0.05,
        connect_retries=0,
        workers=1,
        breaker={"failure_threshold": 2, "reset_after": 60},
    )
    pipeline.submit(texchange(request=trequest(path="/api/slow")))
    for _ in range(3):
        pipeline.submit(texchange())
    await finish(pipeline)
    verdicts = [(r.verdict.kind.value, r.candidate.error) for r in store.records]
    assert verdicts == [
        ("timeout", "timeout"),
        ("candidate_error", "refused"),
        ("candidate_error", "breaker_open"),
        ("candidate_error", "breaker_open"),
    ]
    assert ("open",) in metrics.named("breaker")


async def test_eventual_routes_are_reread_until_they_converge(make_pipeline: Any) -> None:
    answers = iter(["inprogress", "inprogress", "inreview"])

    async def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"status": next(answers, "inreview")})

    profile = TProfile(eventual={"/api/tasks/{id}"})
    pipeline, store, _ = await make_pipeline(handler, profile=profile, eventual={"first_delay": 0.01, "window": 2})
    pipeline.submit(texchange(request=trequest(path=f"/api/tasks/{P1}"), primary=primary_json({"status": "inreview"})))
    await finish(pipeline)
    [record] = store.records
    assert record.verdict.kind is VerdictKind.CONVERGED
    assert record.candidate.response is not None and b"inreview" in record.candidate.response.body


async def test_writes_are_never_reread_even_on_eventual_routes(make_pipeline: Any) -> None:
    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return json_response({"status": "other"})

    profile = TProfile(eventual={"/api/tasks/{id}"})
    pipeline, store, _ = await make_pipeline(handler, profile=profile, eventual={"first_delay": 0.01, "window": 1})
    request = trequest(method="PUT", path=f"/api/tasks/{P1}", json={"status": "done"})
    pipeline.submit(texchange(request=request, primary=primary_json({"status": "done"})))
    await finish(pipeline)
    assert calls == 1 and store.records[0].verdict.kind is VerdictKind.MISMATCH


async def test_streams_are_mirrored_while_the_primary_records(make_pipeline: Any) -> None:
    events = b"event: json_patch\ndata: []\n\nevent: finished\ndata: \n\n"

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=events, headers={"content-type": "text/event-stream"})

    pipeline, store, _ = await make_pipeline(handler)
    headers = (("content-type", "text/event-stream"),)
    head = tresponse(body=b"", headers=headers)
    ticket = pipeline.open_stream(trequest(path="/api/events"), head, exchange_id="s1")
    assert ticket is not None
    await asyncio.sleep(0.05)
    ticket.finish(events, True)
    await finish(pipeline)
    [record] = store.records
    assert record.verdict.kind is VerdictKind.MATCH and record.exchange.primary.body == events
    assert record.exchange.id == "s1" and record.candidate.response is not None and record.candidate.response.complete


async def test_a_failing_store_is_logged_once_and_the_shadow_goes_on(
    make_pipeline: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"id": C1})

    store = TStore(fail=True)
    with caplog.at_level(logging.ERROR):
        pipeline, _, metrics = await make_pipeline(handler, store=store, writer={"batch_size": 1})
        for _ in range(3):
            assert pipeline.submit(texchange())
        await finish(pipeline)
    assert pipeline.counts == {"mismatch": 3}
    assert len(metrics.named("store_errors")) == 3
    assert caplog.text.count("the evidence store failed") == 1


async def test_sampling_oversized_bodies_and_the_loop_guard(make_pipeline: Any) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return json_response(None)

    pipeline, store, _ = await make_pipeline(handler, sample=0, max_body_bytes=10)
    assert not pipeline.submit(texchange())  # a read, sampled out
    assert not pipeline.submit(texchange(request=trequest(method="POST", headers=(("x-shadow", "1"),))))
    assert not pipeline.submit(texchange(request=trequest(method="POST", body=b"x" * 11)))
    await finish(pipeline)
    assert [(r.verdict.kind.value, r.verdict.reason) for r in store.records] == [
        ("shed", "request body of 11 bytes is over max_body_bytes=10")
    ]


async def test_a_comparator_crash_is_recorded_as_a_mismatch() -> None:
    def broken(*args: Any, **kwargs: Any) -> Verdict:
        raise KeyError("bug")

    async def handler(request: httpx.Request) -> httpx.Response:
        return json_response(None)

    store = TStore()
    client = CandidateClient("http://c", timeout=1, transport=httpx.MockTransport(handler))
    pipeline = Pipeline(
        load_settings(candidate="http://c"), profile=TProfile(), compare=broken, client=client, store=store
    )
    await pipeline.start()
    pipeline.submit(texchange())
    await finish(pipeline)
    [record] = store.records
    assert record.verdict.kind is VerdictKind.MISMATCH and "comparator failed: KeyError" in (
        record.verdict.reason or ""
    )


async def test_lanes_profile_follows_the_scope_hints(make_pipeline: Any) -> None:
    order: list[str] = []
    release_a = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        project = orjson.loads(request.content)["project_id"] if request.content else request.url.params["project_id"]
        if project == "a" and request.method == "POST":
            await release_a.wait()  # project a's write is stuck on the candidate...
        order.append(f"{request.method} {project}")
        return json_response(None)

    class ScopedProfile(TProfile):
        def match(self, method: str, path: str) -> Any:
            route = super().match(method, path)
            assert route.rule is not None
            route.rule.scope = "project"
            route.rule.scope_key = "body:project_id" if method == "POST" else "query:project_id"
            return route

    pipeline, _, _ = await make_pipeline(handler, profile=ScopedProfile(), lanes="profile")
    for n, project in enumerate(("a", "b")):
        create = trequest(method="POST", path="/api/tasks", json={"project_id": project, "title": "t"})
        pipeline.submit(texchange(request=create, primary=primary_json(None), started_at=n, completed_at=n + 0.1))
    read_b = trequest(path="/api/tasks", query="project_id=b")
    pipeline.submit(texchange(request=read_b, primary=primary_json(None), started_at=5, completed_at=5.1))
    await asyncio.sleep(0.1)
    assert order == ["POST b", "GET b"]  # ...while project b's write and read go ahead
    release_a.set()
    await finish(pipeline)
    assert order == ["POST b", "GET b", "POST a"]


async def test_operator_eventual_routes_reopen_streams_until_they_match(make_pipeline: Any) -> None:
    events = b"event: finished\ndata: \n\n"
    opened = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal opened
        opened += 1
        if opened == 1:
            return httpx.Response(404)  # the candidate's process has not got its logs yet
        return httpx.Response(200, content=events, headers={"content-type": "text/event-stream"})

    template = "/api/execution-processes/{id}/normalized-logs"
    pipeline, store, _ = await make_pipeline(
        handler, eventual_routes=[template], eventual={"first_delay": 0.01, "window": 2}
    )
    headers = (("content-type", "text/event-stream"),)
    path = f"/api/execution-processes/{P1}/normalized-logs"
    ticket = pipeline.open_stream(trequest(path=path), tresponse(body=b"", headers=headers), exchange_id="s")
    assert ticket is not None
    ticket.finish(events, True)
    await finish(pipeline)
    [record] = store.records
    assert record.verdict.kind is VerdictKind.CONVERGED and opened == 2


async def test_stopping_records_what_was_never_judged(make_pipeline: Any) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(60)
        return json_response(None)

    pipeline, store, _ = await make_pipeline(handler, workers=1, candidate_timeout=60)
    for _ in range(3):
        pipeline.submit(texchange(request=trequest(method="POST", path="/api/tasks", json={"t": 1})))
    await asyncio.sleep(0.05)
    await pipeline.stop(drain=0)
    assert [(r.verdict.kind.value, r.verdict.reason) for r in store.records] == [
        ("shed", "the shadow stopped before the candidate's answer was judged")
    ] * 3
    assert pipeline.pending == 0


async def test_the_real_metrics_see_verdicts_latency_and_the_breaker(make_pipeline: Any) -> None:
    from prometheus_client import CollectorRegistry

    from shadow.config import load_settings
    from shadow.metrics import Metrics

    async def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"id": C1, "name": "p"})

    registry = CollectorRegistry()
    client = CandidateClient("http://c", timeout=1, transport=httpx.MockTransport(handler))
    pipeline = Pipeline(
        load_settings(candidate="http://c"),
        profile=TProfile(),
        compare=tcompare,
        client=client,
        metrics=Metrics(registry, groups=["projects"]),
    )
    await pipeline.start()
    pipeline.submit(texchange(primary=primary_json({"id": P1, "name": "p"})))
    await finish(pipeline)
    labels = {"group": "projects", "method": "GET", "verdict": "match"}
    assert registry.get_sample_value("shadow_exchanges_total", labels) == 1
    assert registry.get_sample_value("shadow_latency_seconds_count", {"side": "candidate", "group": "projects"}) == 1
    assert registry.get_sample_value("shadow_correlation_size", {}) == 1
    assert registry.get_sample_value("shadow_breaker_state", {"state": "closed"}) == 1


async def test_ids_of_a_converged_reread_are_learned_and_used_by_later_rereads(make_pipeline: Any) -> None:
    lists = iter([[], [{"id": C1}]])  # the candidate's list catches up on the re-read
    seen: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/api/execution-processes":
            return json_response(next(lists, [{"id": C1}]))
        if request.url.path == f"/api/execution-processes/{C1}":
            return json_response({"id": C1})
        return httpx.Response(404)

    eventual = {"/api/execution-processes", "/api/execution-processes/{id}"}
    pipeline, store, _ = await make_pipeline(
        handler, profile=TProfile(eventual=eventual), eventual={"first_delay": 0.05, "window": 3}
    )
    listing = trequest(path="/api/execution-processes", query="task_attempt_id=a")
    pipeline.submit(texchange(request=listing, primary=primary_json([{"id": P1}]), started_at=0, completed_at=1))
    one = trequest(path=f"/api/execution-processes/{P1}")
    pipeline.submit(texchange(request=one, primary=primary_json({"id": P1}), started_at=2, completed_at=3))
    await finish(pipeline)
    assert [r.verdict.kind for r in store.records] in (
        [VerdictKind.CONVERGED, VerdictKind.CONVERGED],
        [VerdictKind.CONVERGED, VerdictKind.MATCH],
    )
    assert seen[-1] == f"/api/execution-processes/{C1}"  # the single read was re-sent with the learned id
