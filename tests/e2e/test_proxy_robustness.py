"""Bad input never costs the client the primary's answer: malformed requests, huge bodies, a client that
breaks an event stream, an unwritable evidence store. Each gives a clear line in the log (or mitmproxy's
own error answer for what is not HTTP), and the proxy keeps serving."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shadow.reference.instance import Instance, running_instance
from tests.e2e.proxy_run import running_proxy, stop
from tests.faults import FaultServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def primary() -> Iterator[Instance]:
    with running_instance() as instance:
        yield instance


@pytest.fixture
def candidate() -> Iterator[FaultServer]:
    with FaultServer("ok").in_thread() as server:
        yield server


def same_answer(proxy_url: str, primary_url: str, method: str, path: str, **kwargs: object) -> httpx.Response:
    with httpx.Client(timeout=30) as client:
        via = client.request(method, proxy_url + path, **kwargs)  # type: ignore[arg-type]
        direct = client.request(method, primary_url + path, **kwargs)  # type: ignore[arg-type]
    assert (via.status_code, via.content) == (direct.status_code, direct.content), path
    return via


def test_malformed_requests_and_huge_bodies(primary: Instance, candidate: FaultServer, tmp_path: Path) -> None:
    settings = {"max_body_bytes": 4 << 20}
    with running_proxy(primary.base_url, candidate.url, tmp_path, settings=settings) as proxy:
        host, port = proxy.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            raw.sendall(b"THIS IS NOT HTTP AT ALL\r\n\x00\x01\r\n\r\n")
            answer = raw.recv(4096)
        assert answer.startswith(b"HTTP/1.1 400"), answer  # mitmproxy's own answer; nothing reached the primary
        huge = b"\x89PNG" + b"\x00" * (21 << 20)  # over the primary's 20 MiB limit and our 4 MiB shadow limit
        rejected = same_answer(
            proxy.url, primary.base_url, "POST", "/api/images/upload", files={"image": ("big.png", huge)}
        )
        assert rejected.status_code == 400 and b"Failed to upload file" in rejected.content
        same_answer(proxy.url, primary.base_url, "GET", "/api/health")
        stop(proxy)
        rows, log = proxy.comparisons(), proxy.log_text()
    [upload] = [r for r in rows if r["route"] == "/api/images/upload"]
    assert upload["verdict"] == "shed" and "request body of" in upload["reason"]
    assert "not shadowed: request body of" in log
    assert not [r for r in candidate.requests if r.target.startswith("/api/images")]  # never mirrored


def test_a_client_breaking_an_event_stream(primary: Instance, candidate: FaultServer, tmp_path: Path) -> None:
    with running_proxy(primary.base_url, candidate.url, tmp_path, settings={"stream": {"max_seconds": 5}}) as proxy:
        host, port = proxy.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            raw.sendall(b"GET /api/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
            assert raw.recv(4096).startswith(b"HTTP/1.1 200")
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        # the connection was reset mid-stream; the proxy goes on
        same_answer(proxy.url, primary.base_url, "GET", "/api/projects")
        stop(proxy)
        rows = proxy.comparisons()
    [events] = [r for r in rows if r["route"] == "/api/events"]
    assert events["verdict"] in {"match", "mismatch"}  # judged with what was recorded before the break
    assert any(r["route"] == "/api/projects" for r in rows)


def test_an_unwritable_store_is_one_clear_line(primary: Instance, candidate: FaultServer, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the store's directory should be")
    with running_proxy(primary.base_url, candidate.url, tmp_path, store=blocker / "evidence.db") as proxy:
        for path in ("/api/health", "/api/projects", "/api/templates"):
            same_answer(proxy.url, primary.base_url, "GET", path)
        stop(proxy)
        log = proxy.log_text()
    [line] = [line for line in log.splitlines() if "comparisons will not be kept" in line]
    assert str(blocker) in line
    assert len(candidate.requests) >= 3  # the shadow itself kept going


def test_the_shadow_serves_its_metrics(primary: Instance, candidate: FaultServer, tmp_path: Path) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    from shadow.reference.instance import free_port

    port = free_port()
    with running_proxy(primary.base_url, candidate.url, tmp_path, args=("--metrics-port", str(port))) as proxy:
        for path in ("/api/health", "/api/projects"):
            same_answer(proxy.url, primary.base_url, "GET", path)
        deadline = time.monotonic() + 10
        samples: dict[tuple[str, str | None, str | None], float] = {}
        while True:  # the worker starts, and judges, on its own time
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
                continue
            samples = {
                (sample.name, sample.labels.get("group"), sample.labels.get("verdict")): sample.value
                for family in text_string_to_metric_families(text)
                for sample in family.samples
            }
            judged = sum(v for (name, _, _), v in samples.items() if name == "shadow_exchanges_total")
            if judged >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert samples[("shadow_exchanges_total", "system", "mismatch")] == 1  # the candidate answers "ok" to all
    assert samples[("shadow_exchanges_total", "projects", "mismatch")] == 1
