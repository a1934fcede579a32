"""The workload session: request ids, polls, windows and cancellation (origin: ``httpx.MockTransport``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from shadow.workload.recorder import HarRecorder
from shadow.workload.session import MULTIPART_BOUNDARY, Reply, Session, WaitTimeout, WorkflowCancelled


def _session(handler: httpx.MockTransport, **kwargs: object) -> tuple[Session, HarRecorder]:
    recorder = HarRecorder(backend="primary", base_url="http://backend.test")
    return Session("http://backend.test", recorder, transport=handler, **kwargs), recorder  # type: ignore[arg-type]


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"success": True, "data": {"path": request.url.path}})


def test_every_request_carries_its_id_and_ids_are_unique() -> None:
    session, recorder = _session(httpx.MockTransport(_ok))
    with session:
        reply = session.call("family.step", "GET", "/api/a")
        assert reply.envelope_ok and reply.data == {"path": "/api/a"}
        with pytest.raises(ValueError, match="used twice"):
            session.call("family.step", "GET", "/api/b")
    (entry,) = recorder.entries
    assert entry.request_id == "family.step" and entry.poll is None
    assert entry.request.header("accept-encoding") == "identity"


def test_poll_shares_its_id_and_numbers_each_try() -> None:
    answers = iter(["todo", "inprogress", "inreview"])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"success": True, "data": {"status": next(answers)}})

    session, recorder = _session(httpx.MockTransport(handler), poll_interval=0.01)
    with session:
        reply = session.poll("tasks.wait", "/api/tasks/1", lambda r: r.data["status"] == "inreview")
    assert reply.polls == 3
    assert [(e.request_id, e.poll) for e in recorder.entries] == [
        ("tasks.wait", 1),
        ("tasks.wait", 2),
        ("tasks.wait", 3),
    ]


def test_poll_gives_up_at_its_deadline() -> None:
    session, recorder = _session(httpx.MockTransport(_ok), poll_interval=0.05)
    with session, pytest.raises(WaitTimeout, match=r"tasks\.never"):
        session.poll("tasks.never", "/api/x", lambda r: False, timeout=0.2)
    assert 2 <= len(recorder.entries) <= 10


class _Endless(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        while True:
            time.sleep(0.05)
            yield b"event: json_patch\ndata: []\n\n"


def test_stream_window_bounds_a_never_ending_stream() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Endless())

    session, recorder = _session(httpx.MockTransport(handler))
    started = time.monotonic()
    with session:
        reply = session.stream("attempts.diff", "/api/diff", window=0.4)
    assert time.monotonic() - started < 2.0
    assert reply.complete is False and reply.body.count(b"event: json_patch") >= 2
    (entry,) = recorder.entries
    assert entry.response is not None and entry.response.body == reply.body and not entry.response.complete


def test_scoped_client_labels_library_requests_in_order() -> None:
    session, recorder = _session(httpx.MockTransport(_ok))
    with session:
        with session.scoped("system.install-agent") as client:
            client.get("/api/profiles")
            client.put("/api/profiles", content=b"{}")
        with pytest.raises(ValueError, match="unlabelled"):
            session._client.get("/api/health")
    assert [e.request_id for e in recorder.entries][:2] == ["system.install-agent.1", "system.install-agent.2"]


def test_multipart_uploads_use_a_fixed_boundary() -> None:
    session, recorder = _session(httpx.MockTransport(_ok))
    with session:
        session.call("images.upload", "POST", "/api/images/upload", files={"image": ("a.png", b"\x89PNG", "image/png")})
    (entry,) = recorder.entries
    assert entry.request.header("content-type") == f"multipart/form-data; boundary={MULTIPART_BOUNDARY}"
    assert f"--{MULTIPART_BOUNDARY}".encode() in entry.request.body


def test_cancel_stops_a_poll_promptly() -> None:
    cancel = threading.Event()
    session, _ = _session(httpx.MockTransport(_ok), cancel=cancel, poll_interval=5.0)
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    with session, pytest.raises(WorkflowCancelled):
        session.poll("tasks.wait", "/api/x", lambda r: False, timeout=60)
    assert time.monotonic() - started < 2.0


def test_reply_helpers() -> None:
    reply = Reply("x.y", 200, httpx.Headers(), b'{"success":false,"data":null}')
    assert not reply.envelope_ok and reply.data is None and "x.y: HTTP 200" in reply.describe()
    assert Reply("x.y", 404, httpx.Headers(), b"").json() is None
