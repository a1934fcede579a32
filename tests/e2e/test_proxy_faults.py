"""A faulty candidate, one kind per case, behind the real proxy in front of a real primary: the client
gets exactly what the primary sends, nothing fails, and each fault is recorded with the right verdict."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shadow.reference.instance import Instance, running_instance
from tests.e2e.proxy_run import running_proxy
from tests.faults import FaultServer, refused_url

pytestmark = pytest.mark.e2e

ROUTES = [
    "/api/health",
    "/api/projects",
    "/api/templates",
    "/api/config",
    "/api/filesystem/directory?path=/nonexistent",
]
SETTINGS = {"candidate_timeout": 0.5, "breaker": {"failure_threshold": 1000}, "stream": {"max_seconds": 1.5}}
# What each fault must be recorded as (plain routes; the event stream is checked separately).
EXPECTED = {
    "slow": ("timeout", "timeout"),
    "refused": ("candidate_error", "refused"),
    "reset": ("candidate_error", "reset"),
    "error500": ("mismatch", None),
    "garbage": ("candidate_error", "protocol"),
    "stall": ("timeout", "timeout"),
}


@pytest.fixture(scope="module")
def primary() -> Iterator[Instance]:
    with running_instance() as instance:
        yield instance


def significant(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers (without the per-response date) and body bytes, as the client saw them."""
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "date"]
    return response.status_code, headers, response.content


def read_stream(client: httpx.Client, path: str, seconds: float) -> bytes:
    body = b""
    try:
        with client.stream("GET", path, timeout=httpx.Timeout(10, read=seconds)) as response:
            assert response.headers["content-type"] == "text/event-stream"
            for chunk in response.iter_raw():
                body += chunk
    except httpx.ReadTimeout:
        pass  # /api/events never ends: the client gives up, as a browser tab would
    return body


@pytest.mark.parametrize("mode", list(EXPECTED))
def test_a_faulty_candidate_never_reaches_the_client(primary: Instance, tmp_path: Path, mode: str) -> None:
    server = FaultServer("ok" if mode == "refused" else mode, delay=3)  # type: ignore[arg-type]
    with server.in_thread():
        candidate = refused_url() if mode == "refused" else server.url
        with (
            running_proxy(primary.base_url, candidate, tmp_path, settings=SETTINGS) as proxy,
            httpx.Client(base_url=proxy.url, timeout=10) as via,
            httpx.Client(base_url=primary.base_url, timeout=10) as direct,
        ):
            for route in ROUTES:
                assert significant(via.get(route)) == significant(direct.get(route)), route
            assert read_stream(via, "/api/events", 1.0) == b""  # a fresh primary has no history
        rows = proxy.comparisons()
        log = proxy.log_text()
    plain = [row for row in rows if row["route"] != "/api/events"]
    assert len(plain) == len(ROUTES), log
    verdict, error = EXPECTED[mode]
    assert {(row["verdict"], row["candidate_error"]) for row in plain} == {(verdict, error)}, log
    [stream] = [row for row in rows if row["route"] == "/api/events"]
    # A stalled stream sends its headers and one event: the window closes on a stream that differs.
    assert stream["verdict"] == ("mismatch" if mode == "stall" else verdict), stream
    if mode == "error500":
        assert all(row["candidate_status"] == 500 for row in plain)
        assert all('"/status"' in row["diffs"] for row in plain)
