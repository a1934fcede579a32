"""``shadow.proxyrun`` with the real ``parity proxy`` in front of a real 0.0.71 instance, teeing to the same
instance (reads only: a system compared with itself)."""

from __future__ import annotations

import contextlib
import socket
import time
from pathlib import Path

import httpx
import pytest

from shadow.errors import ConfigError
from shadow.proxyrun import ProxyError, running_proxy, start_proxy
from shadow.reference.instance import Instance, free_port


def test_serves_drains_into_the_store_and_leaves_nothing_behind(primary: Instance, tmp_path: Path) -> None:
    metrics_port = free_port()
    settings = {"drain_seconds": 10, "candidate_timeout": 10}
    with running_proxy(
        primary.base_url, primary.base_url, tmp_path, settings=settings, metrics_port=metrics_port
    ) as run:
        assert run.metrics_url == f"http://127.0.0.1:{metrics_port}/metrics"
        assert httpx.get(run.metrics_url, timeout=5).status_code == 200  # the worker was up before we returned
        for path in ("/api/health", "/api/projects", "/api/templates", "/api/tasks/not-a-uuid"):
            direct = httpx.get(primary.base_url + path, timeout=10)
            proxied = httpx.get(run.url + path, timeout=10)
            assert (proxied.status_code, proxied.content) == (direct.status_code, direct.content)
        assert run.stop() == 0  # SIGTERM: drained, store flushed, exit 0
        assert not run.group_alive()  # mitmdump and its worker are gone
        assert run.stop() == 0  # idempotent (the context manager stops again)
    rows = run.comparisons()
    # Exactly the four client requests (the readiness probe is never shadowed), in the order judged.
    assert sorted(r["route"] for r in rows) == [
        "/api/health",
        "/api/projects",
        "/api/tasks/{task_id}",
        "/api/templates",
    ]
    assert {r["verdict"] for r in rows} == {"match"}
    assert run.config.read_text().startswith("candidate_timeout: 10")


def test_bad_settings_are_one_line_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="candidate_timeout"):
        start_proxy("http://127.0.0.1:9", "http://127.0.0.1:9", tmp_path, settings={"candidate_timeout": -1})
    assert not (tmp_path / "proxy.log").exists()


def test_a_proxy_that_dies_at_start_is_reported_with_its_log(tmp_path: Path) -> None:
    # The port is taken: mitmdump cannot listen and exits; its own words reach the error.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ProxyError, match="exited") as failure:
            # A port that accepts connections and never answers is not a proxy that serves.
            start_proxy("http://127.0.0.1:9", "http://127.0.0.1:9", tmp_path, listen_port=port).stop()
    assert str(port) in str(failure.value)


def test_requests_from_the_first_moment_never_end_the_proxy(primary: Instance, tmp_path: Path) -> None:
    # mitmproxy listens before its later addons have run their start-up hooks; a request in that window
    # used to be an addon error (the TLS addon's store not yet loaded) that made mitmdump exit, and the
    # shadow's slow start (spawning its worker) made the window wide. Knock from before it listens.
    import threading

    port = free_port()
    answered: list[int] = []
    stop = threading.Event()

    def knock() -> None:
        with httpx.Client(timeout=2) as client:
            while not stop.is_set():
                with contextlib.suppress(httpx.HTTPError):
                    answered.append(client.get(f"http://127.0.0.1:{port}/api/health").status_code)

    knocker = threading.Thread(target=knock)
    knocker.start()
    try:
        with running_proxy(primary.base_url, primary.base_url, tmp_path, listen_port=port) as run:
            time.sleep(1.0)
            assert run.process.poll() is None, run.log_tail()
            assert "Error logged during startup" not in run.log_text()
    finally:
        stop.set()
        knocker.join(5)
    assert answered and set(answered) == {200}
