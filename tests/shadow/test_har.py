"""HAR 1.2: our own round-trip, binary bodies, and reading what mitmproxy's ``hardump`` and browsers write."""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import signal
import socket
import subprocess
import sys
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from comparators.message import HttpRequest, HttpResponse
from shadow.har import HarCapture, HarEntry, HarError, har_document, parse_har, read_har, write_har
from shadow.reference.instance import free_port
from shadow.workload.pngimage import solid_png
from tests.loopback import serving

PNG = solid_png(5, 3, (250, 128, 0))
WAV_LIKE = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00\x00\xff\xfe\x80"


def _entry(
    path: str,
    *,
    body: bytes = b"",
    content_type: str = "application/json",
    status: int = 200,
    request_body: bytes = b"",
    complete: bool = True,
    request_id: str | None = "family.step",
    poll: int | None = None,
) -> HarEntry:
    request = HttpRequest(
        method="POST" if request_body else "GET",
        path=path,
        query="a=1&b=two%20words",
        headers=(("host", "127.0.0.1:1"), ("x-parity-request-id", request_id or "")),
        body=request_body,
    )
    response = HttpResponse(
        status=status,
        headers=(("content-type", content_type), ("content-length", str(len(body)))),
        body=body,
        complete=complete,
        elapsed_ms=12.5,
    )
    return HarEntry(
        started_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        time_ms=12.5,
        url=f"http://127.0.0.1:1{path}?a=1&b=two%20words",
        request=request,
        response=response,
        request_id=request_id,
        poll=poll,
    )


def _capture() -> HarCapture:
    return HarCapture(
        entries=(
            _entry("/api/health", body=b'{"success":true,"data":"OK","error_data":null,"message":null}'),
            _entry("/api/images/x/file", body=PNG, content_type="image/png"),
            _entry("/api/sounds/COW_MOOING", body=WAV_LIKE, content_type="audio/wav"),
            _entry("/api/images/upload", request_body=b"--b\r\n" + PNG + b"\r\n--b--\r\n", body=b"{}"),
            _entry(
                "/api/events", body=b"event: json_patch\ndata: []\n\n", content_type="text/event-stream", complete=False
            ),
            _entry("/api/tasks/1", body="caf\u00e9 \u2603".encode(), poll=3),
            _entry("/api/projects/1", body=b"", status=404, content_type="", request_id=None),
            HarEntry(
                started_at=datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC),
                time_ms=1.0,
                url="http://127.0.0.1:1/api/down",
                request=HttpRequest(method="GET", path="/api/down"),
                response=None,
                error="ConnectError: refused",
            ),
        ),
        backend="primary",
        base_url="http://127.0.0.1:1",
        prefixes={"WORK": "/tmp/work-a", "HOME": "/tmp/home-a", "WORKTREES": "/var/tmp/vibe-kanban/worktrees"},
    )


def test_round_trip_is_identical(tmp_path: Path) -> None:
    capture = _capture()
    path = write_har(tmp_path / "out" / "capture.har", capture)
    assert read_har(path) == capture
    # and a second write of what was read is byte-identical
    again = write_har(tmp_path / "again.har", read_har(path))
    assert again.read_bytes() == path.read_bytes()


def test_document_is_har_1_2_with_parity_fields() -> None:
    document = har_document(_capture())
    log = document["log"]
    assert log["version"] == "1.2"
    assert set(log["creator"]) == {"name", "version"}
    assert log["_parity"]["prefixes"]["WORK"] == "/tmp/work-a"
    entry = log["entries"][0]
    for key in ("startedDateTime", "time", "request", "response", "cache", "timings"):
        assert key in entry
    for key in ("method", "url", "httpVersion", "headers", "queryString", "cookies", "headersSize", "bodySize"):
        assert key in entry["request"]
    for key in ("status", "statusText", "httpVersion", "headers", "content", "redirectURL", "headersSize", "bodySize"):
        assert key in entry["response"]
    assert entry["request"]["queryString"] == [{"name": "a", "value": "1"}, {"name": "b", "value": "two words"}]
    assert entry["_parity"] == {"requestId": "family.step", "poll": None}
    stream = log["entries"][4]
    assert stream["_streamComplete"] is False
    assert stream["response"]["content"]["text"] == "event: json_patch\ndata: []\n\n"


def test_binary_bodies_are_base64_and_exact() -> None:
    document = har_document(_capture())
    png_content = document["log"]["entries"][1]["response"]["content"]
    assert png_content["encoding"] == "base64"
    assert base64.b64decode(png_content["text"]) == PNG
    upload = document["log"]["entries"][3]["request"]["postData"]
    assert upload["_encoding"] == "base64"
    parsed = parse_har(json.dumps(document))
    assert parsed.entries[1].response is not None and parsed.entries[1].response.body == PNG
    assert parsed.entries[2].response is not None and parsed.entries[2].response.body == WAV_LIKE
    assert parsed.entries[3].request.body.startswith(b"--b\r\n\x89PNG")


def test_entry_without_response_keeps_its_error() -> None:
    entry = parse_har(json.dumps(har_document(_capture()))).entries[-1]
    assert entry.response is None
    assert entry.error == "ConnectError: refused"


def test_zlib_compressed_har_is_read(tmp_path: Path) -> None:
    path = tmp_path / "capture.zhar"
    path.write_bytes(zlib.compress(json.dumps(har_document(_capture())).encode(), 9))
    assert read_har(path) == _capture()


BROWSER_HAR = {
    "log": {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [{"startedDateTime": "2026-01-01T10:00:00.000Z", "id": "page_1", "title": "x", "pageTimings": {}}],
        "entries": [
            {
                "_initiator": {"type": "script"},
                "_priority": "High",
                "_resourceType": "fetch",
                "cache": {},
                "connection": "443",
                "pageref": "page_1",
                "request": {
                    "method": "GET",
                    "url": "http://localhost:3000/api/tasks?project_id=abc",
                    "httpVersion": "http/2.0",
                    "headers": [{"name": ":authority", "value": "localhost:3000"}, {"name": "accept", "value": "*/*"}],
                    "queryString": [{"name": "project_id", "value": "abc"}],
                    "cookies": [],
                    "headersSize": -1,
                    "bodySize": 0,
                },
                "response": {
                    "status": 200,
                    "statusText": "",
                    "httpVersion": "http/2.0",
                    "headers": [{"name": "content-type", "value": "application/json"}],
                    "cookies": [],
                    "content": {
                        "size": 11,
                        "mimeType": "application/json",
                        "text": "eyJvayI6MX0=",
                        "encoding": "base64",
                    },
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": -1,
                    "_transferSize": 120,
                    "_error": None,
                },
                "serverIPAddress": "127.0.0.1",
                "startedDateTime": "2026-01-01T10:00:00.123Z",
                "time": 4.2,
                "timings": {"blocked": 1, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": 3, "receive": 0.2},
            }
        ],
    }
}


def test_browser_har_is_read() -> None:
    capture = parse_har(json.dumps(BROWSER_HAR))
    (entry,) = capture.entries
    assert entry.request.method == "GET"
    assert entry.request.path == "/api/tasks"
    assert entry.request.query == "project_id=abc"
    assert entry.request_id is None and entry.poll is None
    assert entry.response is not None and entry.response.body == b'{"ok":1}'
    assert entry.started_at == datetime(2026, 1, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert capture.creator == "WebInspector" and capture.prefixes == {}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\x00\x01garbage\xff", "not JSON"),
        (b"", "not JSON"),
        (b'{"hello": "world"}', 'no "log" object'),
        (b"[1, 2]", 'no "log" object'),
        (b'{"log": {"entries": {}}}', '"log.entries" is not a list'),
        (b'{"log": {"entries": [{"response": {}}]}}', "entry 0 is malformed"),
        (
            b'{"log": {"entries": [{"request": {"method": "GET", "url": "/x"}, "startedDateTime": "yesterday"}]}}',
            "entry 0",
        ),
    ],
)
def test_malformed_input_raises_one_line_har_error(raw: bytes, reason: str) -> None:
    with pytest.raises(HarError) as caught:
        parse_har(raw, source="bad.har")
    message = str(caught.value)
    assert message.startswith("bad.har: ") and reason in message
    assert "\n" not in message


def test_missing_file_raises_har_error(tmp_path: Path) -> None:
    with pytest.raises(HarError, match="cannot read"):
        read_har(tmp_path / "nope.har")


# ------------------------------------------------------------------------- mitmproxy hardump, for real


class _TinyBackend(http.server.BaseHTTPRequestHandler):
    """A small origin server behind mitmdump: JSON, a PNG, an upload echo and a finite SSE stream."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path.startswith("/api/image"):
            self._send(200, "image/png", PNG)
        elif self.path.startswith("/api/events"):
            self._send(200, "text/event-stream", b"event: json_patch\ndata: [1]\n\nevent: finished\ndata: \n\n")
        else:
            self._send(200, "application/json", b'{"success":true,"data":"OK","error_data":null,"message":null}')

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        received = self.rfile.read(length)
        self._send(200, "application/json", json.dumps({"received": len(received)}).encode())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mitmdump exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise TimeoutError("mitmdump did not listen")


def test_reads_a_real_mitmproxy_hardump(tmp_path: Path) -> None:
    har_path = tmp_path / "dump.har"
    mitmdump = Path(sys.executable).with_name("mitmdump")
    with serving(_TinyBackend) as origin:
        port = free_port()
        process = subprocess.Popen(
            [
                str(mitmdump),
                "--mode",
                f"reverse:{origin}/",
                "--listen-host",
                "127.0.0.1",
                "--listen-port",
                str(port),
                "--set",
                f"hardump={har_path}",
                "--set",
                f"confdir={tmp_path / 'mitm-conf'}",
                "-q",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_listening(port, process)
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                client.get("/api/health", headers={"x-parity-request-id": "system.health"})
                client.get("/api/image", headers={"x-parity-request-id": "images.get", "x-parity-poll": "2"})
                client.get("/api/events", headers={"x-parity-request-id": "events.history"})
                client.post("/api/upload", files={"image": ("a.png", PNG, "image/png")})
        finally:
            process.send_signal(signal.SIGTERM)  # mitmdump writes the HAR in its `done` hook
            process.wait(30)
    capture = read_har(har_path)
    assert capture.creator == "mitmproxy"
    by_path = {entry.request.path: entry for entry in capture.entries}
    assert set(by_path) == {"/api/health", "/api/image", "/api/events", "/api/upload"}
    health = by_path["/api/health"]
    assert health.request_id == "system.health" and health.poll is None
    assert health.response is not None and json.loads(health.response.body)["data"] == "OK"
    image = by_path["/api/image"]
    assert image.request_id == "images.get" and image.poll == 2
    assert image.response is not None and image.response.body == PNG
    assert image.response.content_type == "image/png"
    events = by_path["/api/events"]
    assert events.response is not None and events.response.is_event_stream
    assert events.response.body.endswith(b"event: finished\ndata: \n\n")
    upload = by_path["/api/upload"]
    assert upload.request.method == "POST"
    assert upload.response is not None and json.loads(upload.response.body)["received"] > len(PNG)
