"""The recording transport: what the client reads is what gets recorded, streams included.

The origin is ``httpx.MockTransport`` (the HTTP boundary); the recorder and the client are real."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shadow.har import read_har
from shadow.workload.recorder import HarRecorder, RecordingTransport


class _Chunks(httpx.SyncByteStream):
    def __init__(self, chunks: list[bytes], *, forever: bool = False, gap: float = 0.0) -> None:
        self.chunks = chunks
        self.forever = forever
        self.gap = gap
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        while True:
            for chunk in self.chunks:
                if self.gap:
                    time.sleep(self.gap)
                yield chunk
            if not self.forever:
                return

    def close(self) -> None:
        self.closed = True


def _client(recorder: HarRecorder, handler: httpx.MockTransport) -> httpx.Client:
    return httpx.Client(base_url="http://backend.test", transport=RecordingTransport(recorder, handler))


def test_records_request_and_response_exactly() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.read())
        return httpx.Response(201, json={"success": True}, headers={"x-extra": "1"})

    recorder = HarRecorder(backend="primary", base_url="http://backend.test/")
    with _client(recorder, httpx.MockTransport(handler)) as client:
        reply = client.post(
            "/api/things",
            params={"q": "a b"},
            json={"name": "x"},
            headers={"x-parity-request-id": "things.create", "x-parity-poll": "4"},
        )
    assert reply.json() == {"success": True}
    (entry,) = recorder.entries
    assert entry.url == "http://backend.test/api/things?q=a+b"
    assert entry.request.method == "POST" and entry.request.path == "/api/things" and entry.request.query == "q=a+b"
    assert entry.request.body == seen[0] == b'{"name":"x"}'
    assert entry.request_id == "things.create" and entry.poll == 4
    assert entry.response is not None
    assert entry.response.status == 201 and entry.response.header("x-extra") == "1"
    assert entry.response.body == reply.content and entry.response.complete
    assert entry.response.elapsed_ms == entry.time_ms >= 0
    assert recorder.base_url == "http://backend.test"


def test_stream_cut_early_records_what_was_read_as_incomplete() -> None:
    stream = _Chunks([b"event: a\ndata: 1\n\n", b"event: b\ndata: 2\n\n"], forever=True)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=stream)

    recorder = HarRecorder(backend="primary", base_url="http://backend.test")
    with _client(recorder, httpx.MockTransport(handler)) as client:
        read: list[bytes] = []
        with client.stream("GET", "/api/events") as response:
            for chunk in response.iter_raw():
                read.append(chunk)
                if len(read) == 3:
                    break
    (entry,) = recorder.entries
    assert entry.response is not None
    assert entry.response.body == b"".join(read)
    assert entry.response.complete is False
    assert stream.closed


def test_stream_read_to_its_end_is_complete() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        stream = _Chunks([b"event: json_patch\ndata: []\n\n", b"event: finished\ndata: \n\n"])
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=stream)

    recorder = HarRecorder(backend="primary", base_url="http://backend.test")
    with _client(recorder, httpx.MockTransport(handler)) as client, client.stream("GET", "/x") as response:
        body = b"".join(response.iter_raw())
    (entry,) = recorder.entries
    assert entry.response is not None and entry.response.complete and entry.response.body == body


def test_transport_error_is_recorded_and_raised() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    recorder = HarRecorder(backend="candidate", base_url="http://backend.test")
    with _client(recorder, httpx.MockTransport(handler)) as client, pytest.raises(httpx.ConnectError):
        client.get("/api/health", headers={"x-parity-request-id": "system.health"})
    (entry,) = recorder.entries
    assert entry.response is None and entry.error is not None and "connection refused" in entry.error
    assert entry.request_id == "system.health"


def test_an_idempotent_request_whose_answer_was_lost_is_sent_once_more() -> None:
    # The origin resets the first attempt of every request, as 0.0.71 now and then does to a request whose
    # body it did not read; the body must arrive whole on the second attempt.
    seen: list[tuple[str, bytes]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.read()))
        if len(seen) % 2:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        return httpx.Response(404)

    recorder = HarRecorder(backend="primary", base_url="http://backend.test")
    with _client(recorder, httpx.MockTransport(handler)) as client:
        assert client.put("/api/projects/x", json={"name": "x"}).status_code == 404
        assert client.delete("/api/templates/x").status_code == 404
        with pytest.raises(httpx.RemoteProtocolError):  # a POST could act twice: never resent
            client.post("/api/tasks", json={"title": "t"})
    assert [method for method, _ in seen] == ["PUT", "PUT", "DELETE", "DELETE", "POST"]
    assert seen[0][1] == seen[1][1] == b'{"name":"x"}'
    assert [(e.request.method, e.response and e.response.status) for e in recorder.entries] == [
        ("PUT", 404),
        ("DELETE", 404),
        ("POST", None),
    ]
    assert recorder.retries == [
        "PUT /api/projects/x: RemoteProtocolError: Server disconnected without sending a response.",
        "DELETE /api/templates/x: RemoteProtocolError: Server disconnected without sending a response.",
    ]


def test_entries_sort_by_start_even_when_finishing_out_of_order(tmp_path: Path) -> None:
    release = threading.Event()
    slow_started = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/slow":
            slow_started.set()  # the transport took this request's ticket before calling us
            release.wait(5)
        return httpx.Response(200, text=request.url.path)

    recorder = HarRecorder(backend="primary", base_url="http://backend.test")
    with _client(recorder, httpx.MockTransport(handler)) as client:
        slow = threading.Thread(target=client.get, args=("/slow",))
        slow.start()
        assert slow_started.wait(5)
        client.get("/fast")
        release.set()
        slow.join(5)
    assert [entry.request.path for entry in recorder.entries] == ["/slow", "/fast"]
    recorder.set_prefix("WORK", "/tmp/work/")
    written = read_har(recorder.write(tmp_path / "r.har"))
    assert written.prefixes == {"WORK": "/tmp/work"} and written.backend == "primary"
    assert [entry.request.path for entry in written.entries] == ["/slow", "/fast"]
