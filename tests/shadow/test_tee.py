import asyncio
import uuid

import httpx
import orjson
import pytest

from shadow.config import HeaderRule, StreamSettings, load_settings
from shadow.correlation import IdMap
from shadow.tee import CandidateClient, apply_header_rules, classify_error, idempotency_key, mirror_request
from tests.factories import trequest
from tests.faults import FaultServer, refused_url

P1, C1 = str(uuid.UUID(int=1)), str(uuid.UUID(int=2))


def test_mirror_request_marks_rewrites_and_keys_writes() -> None:
    settings = load_settings(
        candidate="http://c",
        primary_id_hint=True,
        candidate_rewrites={"/work/primary": "/work/candidate"},
        header_rules=[
            HeaderRule(name="Authorization", value="Convex candidate-key"),
            HeaderRule(name="Cookie"),
            HeaderRule(target="primary", name="X-Primary-Only", value="1"),
        ],
    )
    ids = IdMap()
    ids.pair(P1, C1)
    request = trequest(
        method="POST",
        path=f"/api/tasks/{P1}/x",
        query="path=/work/primary/repo",
        headers=(("Host", "primary:1"), ("Connection", "keep-alive"), ("Authorization", "Bearer p"), ("Cookie", "s=1")),
        json={"git_repo_path": "/work/primary/repo", "parent": P1},
    )
    mirrored = mirror_request(request, settings, exchange_id="ex-1", write=True, ids=ids, primary_id=P1)
    headers = {key.lower(): value for key, value in mirrored.headers}
    assert mirrored.path == f"/api/tasks/{C1}/x"
    assert mirrored.query == "path=/work/candidate/repo"
    assert orjson.loads(mirrored.body) == {"git_repo_path": "/work/candidate/repo", "parent": C1}
    assert "host" not in headers and "connection" not in headers and "cookie" not in headers
    assert headers["authorization"] == "Convex candidate-key"
    assert headers["x-shadow"] == "1"
    assert headers["idempotency-key"] == idempotency_key("ex-1") != idempotency_key("ex-2")
    assert headers["x-shadow-primary-id"] == P1
    assert "x-primary-only" not in headers


def test_reads_carry_no_idempotency_key_or_hint() -> None:
    settings = load_settings(candidate="http://c", primary_id_hint=True)
    mirrored = mirror_request(trequest(), settings, exchange_id="ex", write=False, primary_id=P1)
    names = {key.lower() for key, _ in mirrored.headers}
    assert "idempotency-key" not in names and "x-shadow-primary-id" not in names and "x-shadow" in names


def test_apply_header_rules_replaces_every_header_of_the_name() -> None:
    rules = [HeaderRule(name="X-A", value="new"), HeaderRule(name="x-b")]
    assert apply_header_rules([("x-a", "1"), ("X-A", "2"), ("x-b", "3"), ("y", "4")], rules, "candidate") == (
        ("y", "4"),
        ("X-A", "new"),
    )


def test_classify_error_looks_at_the_innermost_cause() -> None:
    try:
        try:
            raise ConnectionResetError(104, "reset by peer")
        except ConnectionResetError as inner:
            raise httpx.ConnectTimeout("mislabelled by the transport") from inner
    except httpx.ConnectTimeout as outer:
        assert classify_error(outer) == "reset"
    assert classify_error(TimeoutError()) == "timeout"
    assert classify_error(httpx.ConnectError("x")) == "refused"
    assert classify_error(ValueError("x")) == "other"


async def test_send_returns_the_answer_over_a_mock_transport() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"ok": True}, headers={"x-c": "1"})

    client = CandidateClient("http://candidate", timeout=1, transport=httpx.MockTransport(handler))
    outcome = await client.send(trequest(method="POST", path="/api/x", query="a=1", json={"b": 2}))
    await client.aclose()
    assert outcome.error is None and outcome.response is not None
    assert outcome.response.status == 201 and orjson.loads(outcome.response.body) == {"ok": True}
    assert outcome.response.header("x-c") == "1" and outcome.elapsed_ms is not None
    assert str(seen[0].url) == "http://candidate/api/x?a=1" and seen[0].content == b'{"b":2}'


async def test_the_candidate_gets_only_the_clients_cookies() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers={"set-cookie": "session=candidate-only; Path=/"})

    client = CandidateClient("http://candidate", timeout=1, transport=httpx.MockTransport(handler))
    await client.send(trequest(path="/api/a"))
    await client.send(trequest(path="/api/b"))  # the client sent no cookie: none is added
    await client.send(trequest(path="/api/c", headers=(("cookie", "mine=1"),)))
    await client.aclose()
    assert [r.headers.get("cookie") for r in seen] == [None, None, "mine=1"]


async def test_refused_is_resent_then_answered() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200)

    client = CandidateClient("http://c", timeout=1, connect_retries=1, transport=httpx.MockTransport(handler))
    outcome = await client.send(trequest(method="POST"))
    await client.aclose()
    assert outcome.response is not None and calls == 2


async def test_a_read_timeout_is_never_resent() -> None:
    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        await asyncio.sleep(5)
        return httpx.Response(200)

    client = CandidateClient("http://c", timeout=0.05, connect_retries=3, transport=httpx.MockTransport(handler))
    outcome = await client.send(trequest(method="POST"))
    await client.aclose()
    assert outcome.error == "timeout" and outcome.response is None and calls == 1


@pytest.mark.parametrize(
    ("mode", "kind"), [("slow", "timeout"), ("reset", "reset"), ("garbage", "protocol"), ("stall", "timeout")]
)
async def test_real_transport_faults_are_classified(mode: str, kind: str) -> None:
    async with FaultServer(mode, delay=2) as server:  # type: ignore[arg-type]
        client = CandidateClient(server.url, timeout=0.3)
        outcome = await client.send(trequest(method="POST", json={"x": 1}))
        await client.aclose()
    assert (outcome.error, outcome.response) == (kind, None), outcome.detail
    assert len(server.requests) == 1  # never resent after it may have arrived


async def test_refused_connection_is_classified_over_the_real_transport() -> None:
    client = CandidateClient(refused_url(), timeout=1, connect_retries=1)
    outcome = await client.send(trequest())
    await client.aclose()
    assert outcome.error == "refused", outcome.detail


async def test_a_500_is_an_answer_not_an_error() -> None:
    async with FaultServer("error500") as server:
        client = CandidateClient(server.url, timeout=1)
        outcome = await client.send(trequest())
        await client.aclose()
    assert outcome.error is None and outcome.response is not None and outcome.response.status == 500


async def test_stream_reads_until_the_end_or_the_window() -> None:
    async with FaultServer("sse") as ending, FaultServer("stall") as stalling:
        client = CandidateClient(ending.url, timeout=1)
        done = await client.stream(trequest(path="/api/events"), StreamSettings(max_seconds=2))
        await client.aclose()
        client = CandidateClient(stalling.url, timeout=1)
        stalled = await client.stream(trequest(path="/api/events"), StreamSettings(max_seconds=0.2))
        await client.aclose()
    assert done.response is not None and done.response.complete and done.response.body.endswith(b"data: \n\n")
    assert stalled.response is not None and not stalled.response.complete
    assert stalled.response.body == b"event: json_patch\ndata: []\n\n" and stalled.error is None


async def test_stream_byte_budget() -> None:
    async with FaultServer("sse") as server:
        client = CandidateClient(server.url, timeout=1)
        outcome = await client.stream(trequest(path="/api/events"), StreamSettings(max_bytes=10))
        await client.aclose()
    assert outcome.response is not None and outcome.response.body == b"event: jso" and not outcome.response.complete


def test_our_own_headers_are_never_doubled() -> None:
    settings = load_settings(candidate="http://c", primary_id_hint=True)
    request = trequest(
        method="POST", headers=(("Idempotency-Key", "client's"), ("X-Shadow", "0"), ("x-shadow-primary-id", "forged"))
    )
    mirrored = mirror_request(request, settings, exchange_id="ex", write=True, primary_id=P1)
    names = [key.lower() for key, _ in mirrored.headers]
    assert names.count("idempotency-key") == names.count("x-shadow") == names.count("x-shadow-primary-id") == 1
    assert mirrored.header("idempotency-key") == idempotency_key("ex") and mirrored.header("x-shadow-primary-id") == P1


def test_literal_rewrites_reach_percent_encoded_query_values() -> None:
    settings = load_settings(candidate="http://c", candidate_rewrites={"/work/p": "/work/c"})
    for query in ("path=%2Fwork%2Fp%2Frepo", "path=/work/p/repo", "path=%2Fwork%2Fp"):
        mirrored = mirror_request(
            trequest(path="/api/filesystem/directory", query=query), settings, exchange_id="e", write=False
        )
        assert "/work/p" not in mirrored.query.replace("%2F", "/"), mirrored.query


async def test_the_real_transport_adds_no_content_type_of_its_own() -> None:
    """aiohttp would give a bodyless POST "application/octet-stream"; 0.0.71 then answers 415 where the
    primary, which got no content type, answered 200 (POST /api/task-attempts/{id}/rebase)."""
    async with FaultServer("ok") as server:
        client = CandidateClient(server.url, timeout=5)
        await client.send(trequest(method="POST", path="/api/task-attempts/x/rebase"))
        await client.send(trequest(method="PUT", path="/api/raw", body=b"bytes"))
        await client.send(trequest(method="POST", path="/api/tasks", json={"title": "t"}))
        await client.aclose()
    types = [{k.lower(): v for k, v in r.headers.items()}.get("content-type") for r in server.requests]
    assert types == [None, None, "application/json"]
    assert [r.body for r in server.requests] == [b"", b"bytes", b'{"title":"t"}']
