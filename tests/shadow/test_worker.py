"""The worker's frame loop, fed from memory; its pipeline is real, with a MockTransport candidate."""

import asyncio

import httpx

from comparators.result import VerdictKind
from shadow.config import ShadowSettings, load_settings
from shadow.offload import encode_frame
from shadow.pipeline import Pipeline
from shadow.tee import CandidateClient
from shadow.worker import serve
from tests.factories import TProfile, TStore, tcaptured, tcompare, texchange, trequest, tresponse

EVENTS = b"event: json_patch\ndata: []\n\n"


def factory(stores: list[TStore]) -> object:
    def build(settings: ShadowSettings) -> Pipeline:
        def handler(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/api/events":
                return httpx.Response(200, content=EVENTS, headers={"content-type": "text/event-stream"})
            return httpx.Response(200, content=b"message", headers={"content-type": "text/plain"})

        client = CandidateClient("http://c", timeout=1, transport=httpx.MockTransport(handler))
        store = TStore()
        stores.append(store)
        return Pipeline(settings, profile=TProfile(), compare=tcompare, client=client, store=store)

    return build


async def test_frames_drive_one_pipeline_until_the_pipe_ends() -> None:
    stores: list[TStore] = []
    reader = asyncio.StreamReader()
    settings = load_settings(candidate="http://c", offload=False)
    plain = tresponse(body=b"message", headers=(("content-type", "text/plain"),))
    head = tresponse(body=b"", headers=(("content-type", "text/event-stream"),))
    for message in [
        ("settings", settings),
        ("exchange", texchange(id="e1", primary=plain)),
        ("captured", tcaptured(id="e2", primary=plain), 3),  # as the addon sends it; 3 were shed before it
        ("stream", "s1", trequest(path="/api/events"), head),
        ("finish", "s1", EVENTS, True),
        ("settings", settings.model_copy(update={"sample": 10.0})),
        ("stop", 2.0),
    ]:
        reader.feed_data(encode_frame(message))
    reader.feed_eof()
    pipeline = await asyncio.wait_for(serve(reader, build=factory(stores)), 10)
    assert pipeline is not None and len(stores) == 1  # new settings retune, they do not rebuild
    assert pipeline.settings.sample == 10.0
    assert sorted(r.exchange.id for r in stores[0].records) == ["e1", "e2", "s1"]
    assert all(r.verdict.kind is VerdictKind.MATCH for r in stores[0].records)
    assert pipeline.counts["shed"] == 3 and stores[0].closed


async def test_frames_before_settings_are_ignored_and_a_cut_frame_ends_cleanly() -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(encode_frame(("exchange", texchange())))
    reader.feed_data(encode_frame(("settings", load_settings(candidate="http://c")))[:7])  # truncated
    reader.feed_eof()
    assert await asyncio.wait_for(serve(reader, build=factory([])), 5) is None
