"""ConvexApi against the local convex-test host (a real Node process running the real convex/ code):
the Python signature is verified by the TypeScript side, so the two implementations agree."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from runner.convex_api import (
    AuthError,
    ConvexApi,
    LogChunk,
    NotRegistered,
    ProtocolError,
    TransientError,
    completion_key,
)
from runner.host_env import describe_host
from shadow.candidate import Candidate

from .conftest import LEASE_MS, enqueue


def with_api[T](stack: Candidate, use: Callable[[ConvexApi], Awaitable[T]], *, secret: str | None = None) -> T:
    async def run() -> T:
        env = stack.runner_env
        async with ConvexApi(
            env["RUNNER_CONVEX_SITE_URL"], env["RUNNER_KEY_ID"], secret or env["RUNNER_SECRET"]
        ) as api:
            return await use(api)

    return asyncio.run(run())


def test_register_claim_heartbeat_complete(stack: Candidate) -> None:
    async def scenario(api: ConvexApi) -> dict[str, Any]:
        registration = await api.register("api-test", "api-test", "1")
        assert registration.lease_ms == LEASE_MS
        assert await api.claim("api-test", 0) is None
        command_id = enqueue(stack, "fs.listDirectory", {"path": None})
        command = await api.claim("api-test", 2)
        assert command is not None
        assert (command.command_id, command.kind, command.payload) == (command_id, "fs.listDirectory", {"path": None})
        assert (command.fencing_token, command.attempt) == (1, 1)
        assert await api.heartbeat("api-test", command) is True
        outcome = {"ok": True, "result": {"entries": [], "current_path": "/x"}}
        first = await api.complete("api-test", command, outcome)
        again = await api.complete("api-test", command, outcome)
        assert (first.accepted, first.duplicate, again.accepted, again.duplicate) == (True, False, True, True)
        assert completion_key(command) == f"{command_id}:1"
        assert await api.heartbeat("api-test", command) is False  # finished: no lease to hold
        return dict(stack.admin_call("query", "commands:get", {"commandId": command_id}))

    assert with_api(stack, scenario) == {
        "status": "succeeded",
        "result": {"entries": [], "current_path": "/x"},
        "error": None,
    }


def test_registration_reports_the_host_which_the_deployment_serves(stack: Candidate) -> None:
    host = describe_host("/home/reported")
    registration = with_api(stack, lambda api: api.register("env-test", "env-test", "1", environment=host))
    assert registration.runner_id == "env-test"
    assert stack.admin_call("query", "system:environment", {}) == host.model_dump()
    profiles = httpx.get(f"{stack.base_url}/api/profiles", timeout=10).json()
    assert profiles["data"]["path"] == "/home/reported/.local/share/vibe-kanban/profiles.json"
    info = httpx.get(f"{stack.base_url}/api/info", timeout=10).json()
    assert info["data"]["environment"] == host.model_dump(exclude={"home"})


def test_a_wrong_secret_is_refused_and_nothing_happens(stack: Candidate) -> None:
    with pytest.raises(AuthError, match="bad signature"):
        with_api(stack, lambda api: api.register("intruder", "x", "1"), secret="not-the-secret")


def test_claim_by_an_unregistered_runner(stack: Candidate) -> None:
    command_id = enqueue(stack, "fs.listDirectory", {"path": None})
    with pytest.raises(NotRegistered):
        with_api(stack, lambda api: api.claim("never-registered", 0))

    async def clean_up(api: ConvexApi) -> None:  # leave the queue empty for the other tests
        await api.register("api-test", "api-test", "1")
        command = await api.claim("api-test", 1)
        assert command is not None and command.command_id == command_id
        await api.complete("api-test", command, {"ok": False, "error": {"kind": "internal", "message": "test"}})

    with_api(stack, clean_up)


def test_log_chunks_are_deduplicated(stack: Candidate) -> None:
    chunks = [LogChunk(processId="p-1", stream="stdout", seq=i, content=f"line {i}\n") for i in range(3)]

    async def scenario(api: ConvexApi) -> tuple[Any, Any]:
        return await api.append_logs("api-test", chunks), await api.append_logs("api-test", chunks[1:])

    first, retry = with_api(stack, scenario)
    assert (first.inserted, first.duplicates, retry.inserted, retry.duplicates) == (3, 0, 0, 2)
    page = stack.admin_call("query", "logs:listByProcess", {"processId": "p-1"})
    assert [c["content"] for c in page["chunks"]] == ["line 0\n", "line 1\n", "line 2\n"]


# The network below is replaced by httpx.MockTransport: a true external boundary (we cannot make the real
# host fail on demand), used only to check how failures are classified.


def classify(handler: Callable[[httpx.Request], httpx.Response]) -> type[Exception] | None:
    async def run() -> type[Exception] | None:
        api = ConvexApi("http://deployment.invalid", "k", "s", transport=httpx.MockTransport(handler))
        try:
            await api.heartbeat("r", _command())
        except Exception as exc:
            return type(exc)
        finally:
            await api.aclose()
        return None

    return asyncio.run(run())


def _command() -> Any:
    from runner.convex_api import ClaimedCommand

    return ClaimedCommand.model_validate(
        {"commandId": "c", "kind": "k", "payload": None, "fencingToken": 1, "attempt": 1, "leaseExpiresAt": 0}
    )


def test_failures_are_classified_for_the_retry_policy() -> None:
    def refuse_connection(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    assert classify(refuse_connection) is TransientError
    assert classify(lambda r: httpx.Response(503, text="busy")) is TransientError
    assert classify(lambda r: httpx.Response(401, json={"error": "expired"})) is AuthError
    assert classify(lambda r: httpx.Response(400, json={"error": "bad"})) is ProtocolError
    assert classify(lambda r: httpx.Response(200, text="not json")) is ProtocolError
    assert classify(lambda r: httpx.Response(200, json={"held": True})) is None
