"""The addon through mitmproxy's own test harness (taddons + tflow), the only test that uses them. The
pipeline behind it is real; its candidate is ``httpx.MockTransport`` and its comparator a stand-in."""

from __future__ import annotations

import contextlib
import gc
import pickle
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons, tflow

from comparators.result import VerdictKind
from shadow.addon import Shadow, capture_exchange, capture_request, capture_response
from shadow.config import ShadowSettings
from shadow.pipeline import Pipeline
from shadow.streams import StreamRecorder
from shadow.tee import CandidateClient
from tests.factories import TProfile, TStore, tcompare

ADDON = Path(__file__).parents[2] / "shadow" / "addon.py"


class Built:
    """A pipeline factory that keeps what it built, for assertions."""

    def __init__(self) -> None:
        self.pipelines: list[Pipeline] = []
        self.stores: list[TStore] = []
        self.seen: list[httpx.Request] = []

    def __call__(self, settings: ShadowSettings) -> Pipeline:
        async def handler(request: httpx.Request) -> httpx.Response:
            self.seen.append(request)
            if request.url.path == "/api/events":
                return httpx.Response(200, content=b"data: 1\n\n", headers={"content-type": "text/event-stream"})
            return httpx.Response(200, content=b"message", headers={"content-type": "text/plain"})

        assert settings.candidate is not None
        client = CandidateClient(settings.candidate, timeout=1, transport=httpx.MockTransport(handler))
        store = TStore()
        pipeline = Pipeline(settings, profile=TProfile(), compare=tcompare, client=client, store=store)
        self.pipelines.append(pipeline)
        self.stores.append(store)
        return pipeline


@contextlib.asynccontextmanager
async def started_shadow(**options: Any) -> AsyncIterator[tuple[Shadow, Built, Any]]:
    """The addon in mitmproxy's test harness, configured with ``options`` and its pipeline started."""
    built = Built()
    shadow = Shadow(built)
    with taddons.context(shadow) as tctx:
        tctx.configure(shadow, **options)
        await shadow.running()
        await shadow.started()
        yield shadow, built, tctx


def sse_flow() -> Any:
    flow = tflow.tflow(resp=True)
    flow.request.path = "/api/events"
    flow.response.headers["content-type"] = "text/event-stream"
    flow.response.content = None
    return flow


async def test_without_a_candidate_configure_fails_with_one_line() -> None:
    shadow = Shadow(Built())
    with taddons.context(shadow) as tctx:
        assert {"shadow_candidate", "shadow_sample", "shadow_filter", "shadow_config"} <= set(tctx.options.keys())
        with pytest.raises(exceptions.OptionsError, match="no candidate URL") as info:
            tctx.configure(shadow, shadow_profile="x")
        assert "\n" not in str(info.value) and shadow.pipeline is None


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"shadow_candidate": "ftp://nope"}, "candidate: .*not an http"),
        ({"shadow_sample": "150"}, "sample"),
        ({"shadow_filter": "~bogus("}, r"(?i)filter"),
        ({"shadow_config": "/nonexistent/shadow.yaml"}, "settings file not found"),
    ],
)
async def test_bad_options_fail_at_configure_and_keep_the_running_pipeline(
    option: dict[str, str], message: str
) -> None:
    shadow = Shadow(Built())
    with taddons.context(shadow) as tctx:
        tctx.configure(shadow, shadow_candidate="http://c")
        good = shadow.pipeline
        with pytest.raises(exceptions.OptionsError, match=message):
            tctx.configure(shadow, **option)
        assert shadow.pipeline is good and good is not None and good.settings.candidate == "http://c"


async def test_a_finished_exchange_is_captured_and_handed_off() -> None:
    async with started_shadow(shadow_candidate="http://candidate") as (shadow, built, _):
        flow = tflow.tflow(resp=True)
        flow.request.method = "POST"
        flow.request.path = "/api/tasks?x=1"
        flow.request.headers["content-type"] = "application/json"
        flow.request.content = b'{"title":"t"}'
        shadow.response(flow)
        assert shadow.pipeline is not None and await shadow.pipeline.drain(5)
        await shadow.done()
    [record] = built.stores[0].records
    assert record.exchange.id == flow.id
    assert (record.exchange.request.method, record.exchange.request.path, record.exchange.request.query) == (
        "POST",
        "/api/tasks",
        "x=1",
    )
    assert record.exchange.request.body == b'{"title":"t"}' and record.exchange.primary.body == b"message"
    assert record.verdict.kind is VerdictKind.MATCH
    mirrored = built.seen[0]
    assert mirrored.url.path == "/api/tasks" and mirrored.headers["x-shadow"] == "1"
    assert "idempotency-key" in mirrored.headers


async def test_the_hand_off_waits_until_the_hook_has_returned_and_the_drain_waits_for_it() -> None:
    # mitmproxy writes the response to the client after the response hook returns, in the same turn of the
    # loop: the capture and hand-off must come after that, and still before the drain at shutdown.
    async with started_shadow(shadow_candidate="http://candidate") as (shadow, built, _):
        assert shadow.pipeline is not None
        handed: list[str] = []
        submit = shadow.pipeline.submit
        shadow.pipeline.submit = lambda exchange: handed.append(exchange.id) or submit(exchange)  # type: ignore[method-assign]
        flow = tflow.tflow(resp=True)
        shadow.response(flow)
        assert handed == []  # nothing done inside the hook
        await shadow.done()  # the shutdown right after: the scheduled hand-off still happens, then the drain
    assert handed == [flow.id] and [r.exchange.id for r in built.stores[0].records] == [flow.id]


async def test_guards_skip_what_must_not_be_shadowed() -> None:
    async with started_shadow(shadow_candidate="http://candidate", shadow_filter="~m POST") as (shadow, built, tctx):
        not_live = tflow.tflow(resp=True, live=False)
        replayed = tflow.tflow(resp=True)
        replayed.is_replay = "request"
        looped = tflow.tflow(resp=True)
        looped.request.headers["x-shadow"] = "1"
        filtered_out = tflow.tflow(resp=True)  # a GET, the filter wants POST
        for flow in (not_live, replayed, looped, filtered_out):
            shadow.response(flow)
        tctx.configure(shadow, shadow_enabled=False)
        disabled = tflow.tflow(resp=True)
        disabled.request.method = "POST"
        shadow.response(disabled)
        assert shadow.pipeline is not None and await shadow.pipeline.drain(5)
        await shadow.done()
    assert built.seen == [] and built.stores[0].records == []


@pytest.mark.parametrize("freeze", [True, False])
async def test_start_up_objects_are_frozen_out_of_full_collections(freeze: bool) -> None:
    gc.unfreeze()
    shadow = Shadow(Built())
    try:
        with taddons.context(shadow) as tctx:
            tctx.configure(shadow, shadow_candidate="http://candidate")
            shadow.settings = shadow.settings.model_copy(update={"gc_freeze": freeze}) if shadow.settings else None
            await shadow.running()
            await shadow.started()
            assert (gc.get_freeze_count() > 0) is freeze
            await shadow.done()
    finally:
        gc.unfreeze()


async def test_live_knobs_keep_the_pipeline_other_changes_replace_it() -> None:
    built = Built()
    shadow = Shadow(built)
    with taddons.context(shadow) as tctx:
        tctx.configure(shadow, shadow_candidate="http://candidate")
        first = shadow.pipeline
        tctx.configure(shadow, shadow_sample="10")
        assert shadow.pipeline is first and first is not None and first.settings.sample == 10
        tctx.configure(shadow, shadow_candidate="http://other")
        assert shadow.pipeline is not first and len(built.pipelines) == 2
        await shadow.running()
        await shadow.started()
        await shadow.done()


async def test_event_streams_always_stream_and_are_recorded_unchanged() -> None:
    built = Built()
    shadow = Shadow(built)
    with taddons.context(shadow) as tctx:
        tctx.configure(shadow, shadow_candidate="http://candidate", shadow_enabled=False)
        off = sse_flow()
        shadow.responseheaders(off)
        assert off.response.stream is True  # never buffered, even when not shadowing

        tctx.configure(shadow, shadow_enabled=True)
        await shadow.running()
        await shadow.started()
        flow = sse_flow()
        shadow.responseheaders(flow)
        recorder = flow.response.stream
        assert isinstance(recorder, StreamRecorder)
        chunk = b"data: 1\n\n"
        assert recorder(chunk) is chunk and recorder(b"") == b""
        shadow.response(flow)  # the response hook after a stream: nothing more to submit
        assert shadow.pipeline is not None and await shadow.pipeline.drain(5)
        await shadow.done()
    [record] = built.stores[-1].records
    assert record.exchange.primary.body == chunk and record.exchange.primary.complete
    assert record.verdict.kind is VerdictKind.MATCH


async def test_a_failed_stream_hands_over_what_it_had() -> None:
    async with started_shadow(shadow_candidate="http://candidate") as (shadow, built, _):
        flow = sse_flow()
        shadow.responseheaders(flow)
        flow.response.stream(b"data: 1\n\n")
        flow.error = tflow.terr()
        shadow.error(flow)
        assert shadow.pipeline is not None and await shadow.pipeline.drain(5)
        await shadow.done()
    [record] = built.stores[0].records
    assert record.exchange.primary.body == b"data: 1\n\n" and not record.exchange.primary.complete


async def test_primary_header_rules_apply_to_the_request(tmp_path: Path) -> None:
    config = tmp_path / "shadow.yaml"
    config.write_text(
        "candidate: http://candidate\nheader_rules:\n"
        "  - {target: primary, name: X-Primary-Token, value: p}\n  - {target: primary, name: Cookie}\n"
    )
    shadow = Shadow(Built())
    with taddons.context(shadow) as tctx:
        tctx.configure(shadow, shadow_config=str(config))
        flow = tflow.tflow()
        flow.request.headers["cookie"] = "s=1"
        shadow.request(flow)
    assert flow.request.headers["x-primary-token"] == "p" and "cookie" not in flow.request.headers


def test_capture_keeps_the_request_bytes_and_decodes_the_response() -> None:
    flow = tflow.tflow(resp=True)
    flow.request.headers["content-encoding"] = "gzip"
    flow.request.content = b"plain"  # mitmproxy encodes it: raw_content is gzip
    flow.response.headers["content-encoding"] = "gzip"
    flow.response.content = b"answer"
    captured = capture_exchange(flow)
    exchange = captured.exchange()
    assert exchange.request == capture_request(flow) and exchange.primary == capture_response(flow)
    assert captured.header("Content-Encoding") == "gzip" and captured.header("x-absent") is None
    assert pickle.loads(pickle.dumps(captured)) == captured  # what crosses the pipe to the worker
    assert exchange.request.body == flow.request.raw_content != b"plain"
    assert exchange.primary.body == b"answer"
    assert exchange.completed_at == flow.response.timestamp_end


def test_the_script_loads_with_mitmdump_s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHADOW_CANDIDATE", "http://127.0.0.1:9")  # configured the way a deployment would
    monkeypatch.setenv("SHADOW_PROFILE", "vibe-kanban-0.0.71")
    with taddons.context() as tctx:
        module = tctx.script(str(ADDON))
        [addon] = module.addons
        assert type(addon).__name__ == "Shadow"
