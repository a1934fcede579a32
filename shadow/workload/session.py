"""The workload's HTTP session: every request labelled, polls bounded, SSE read within a window.

Every request carries ``x-parity-request-id: <family>.<step>``, stable across runs and backends, so two
recordings pair by id. Repeated polls of one wait share their id and carry ``x-parity-poll: <n>``. A
request id used twice outside a poll is a bug in the workload and raises at once.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from shadow.har import REQUEST_ID_HEADER, REQUEST_POLL_HEADER
from shadow.workload.recorder import HarRecorder, RecordingTransport

__all__ = ["Reply", "Session", "WaitTimeout", "WorkflowCancelled"]

MULTIPART_BOUNDARY = "vk-parity-boundary-7f3a9c"
DEFAULT_TIMEOUT = 30.0  # a process stop takes 2-4 s, a dev-server restart up to ~4 s; nothing else is slow


class WaitTimeout(RuntimeError):
    """A poll's condition did not hold before its deadline."""


class WorkflowCancelled(RuntimeError):
    """The caller asked the run to stop (Ctrl-C in the demo)."""


@dataclass(frozen=True)
class Reply:
    """What came back, already read. ``complete`` is False for a stream cut by its read window."""

    request_id: str
    status: int
    headers: httpx.Headers
    body: bytes
    complete: bool = True
    polls: int = 0

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def envelope_ok(self) -> bool:
        doc = self.json()
        return self.status == 200 and isinstance(doc, dict) and doc.get("success") is True

    @property
    def data(self) -> Any:
        """The envelope's ``data`` (None when the body is not an envelope)."""
        doc = self.json()
        return doc.get("data") if isinstance(doc, dict) else None

    def describe(self) -> str:
        text = self.body[:200].decode("utf-8", errors="replace")
        return f"{self.request_id}: HTTP {self.status} {text!r}"


@dataclass
class Session:
    """One backend's HTTP session, recorded into ``recorder``."""

    base_url: str
    recorder: HarRecorder
    timeout: float = DEFAULT_TIMEOUT
    cancel: threading.Event | None = None
    poll_interval: float = 0.25
    poll_timeout: float = 60.0  # how long a wait polls before the step fails (waits that may not hold)
    transport: httpx.BaseTransport | None = None  # the real network by default; tests pass MockTransport
    _used_ids: set[str] = field(default_factory=set, init=False)
    _client: httpx.Client = field(init=False)
    _scope: list[str] = field(default_factory=list, init=False)
    _scope_count: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            base_url=self.base_url,
            transport=RecordingTransport(self.recorder, self.transport),
            timeout=self.timeout,
            # A fresh connection per request: the server closes a kept-alive connection after answering a
            # request whose body it did not read (e.g. a 404 from a model loader), and a request reusing it
            # at that moment fails with "Server disconnected" (seen under load). Loopback makes this cheap.
            limits=httpx.Limits(max_keepalive_connections=0),
            # identity: the recorded body must be the bytes on the wire, whatever the backend would compress
            headers={"accept-encoding": "identity", "user-agent": "vk-parity-workload/1"},
            event_hooks={"request": [self._label_unlabelled]},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------------------- requests

    def call(
        self,
        request_id: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        content: bytes | str | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """One request; its id must be new in this session."""
        self._claim(request_id)
        return self._send(request_id, method, path, params, json_body, content, files, headers, poll=None)

    def poll(
        self,
        request_id: str,
        path: str,
        until: Callable[[Reply], bool],
        *,
        params: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Reply:
        """GET ``path`` until ``until(reply)`` holds; every try shares ``request_id`` and carries its number."""
        self._claim(request_id)
        timeout = self.poll_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        attempt = 0
        while True:
            attempt += 1
            reply = self._send(request_id, "GET", path, params, None, None, None, None, poll=attempt)
            if until(reply):
                return reply
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"{request_id}: condition not met after {attempt} polls in {timeout:.0f}s")
            self._sleep(self.poll_interval)

    def stream(self, request_id: str, path: str, *, window: float, params: Mapping[str, str] | None = None) -> Reply:
        """GET an SSE endpoint and read it for at most ``window`` seconds (about; a chunk in flight finishes)."""
        self._claim(request_id)
        self._check_cancel()
        deadline = time.monotonic() + window
        chunks: list[bytes] = []
        complete = True
        timeout = httpx.Timeout(self.timeout, read=window)
        with self._client.stream(
            "GET", path, params=params, headers={REQUEST_ID_HEADER: request_id}, timeout=timeout
        ) as response:
            try:
                for chunk in response.iter_raw():
                    chunks.append(chunk)
                    if time.monotonic() >= deadline:
                        complete = False
                        break
            except httpx.ReadTimeout:
                complete = False  # the server went quiet for the whole window: the stream is still open
            return Reply(request_id, response.status_code, response.headers, b"".join(chunks), complete)

    @contextlib.contextmanager
    def scoped(self, label: str) -> Iterator[httpx.Client]:
        """A plain ``httpx.Client`` for library code (e.g. installing the agent): its requests get the ids
        ``<label>.1``, ``<label>.2``, ... in order."""
        self._scope.append(label)
        self._scope_count = 0
        try:
            yield self._client
        finally:
            self._scope.pop()

    # ---------------------------------------------------------------------------------------- internals

    def _send(
        self,
        request_id: str,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        json_body: Any,
        content: bytes | str | None,
        files: Mapping[str, tuple[str, bytes, str]] | None,
        headers: Mapping[str, str] | None,
        *,
        poll: int | None,
    ) -> Reply:
        self._check_cancel()
        all_headers = {REQUEST_ID_HEADER: request_id, **(headers or {})}
        if poll is not None:
            all_headers[REQUEST_POLL_HEADER] = str(poll)
        kwargs: dict[str, Any] = {"params": params, "headers": all_headers}
        if json_body is not None:
            kwargs["json"] = json_body
        if content is not None:
            kwargs["content"] = content
        if files is not None:
            kwargs["files"] = files
            # a fixed boundary keeps multipart bodies byte-identical across runs and backends
            all_headers.setdefault("content-type", f"multipart/form-data; boundary={MULTIPART_BOUNDARY}")
        response = self._client.request(method, path, **kwargs)
        return Reply(request_id, response.status_code, response.headers, response.content, True, poll or 0)

    def _claim(self, request_id: str) -> None:
        if request_id in self._used_ids:
            raise ValueError(f"request id {request_id!r} used twice: ids must pair requests across backends")
        self._used_ids.add(request_id)

    def _label_unlabelled(self, request: httpx.Request) -> None:
        if REQUEST_ID_HEADER in request.headers:
            return
        if not self._scope:
            raise ValueError(f"unlabelled request {request.method} {request.url.path}: use Session.call")
        self._scope_count += 1
        request_id = f"{self._scope[-1]}.{self._scope_count}"
        self._claim(request_id)
        request.headers[REQUEST_ID_HEADER] = request_id

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise WorkflowCancelled("cancelled")

    def _sleep(self, seconds: float) -> None:
        if self.cancel is not None:
            if self.cancel.wait(seconds):
                raise WorkflowCancelled("cancelled")
        else:
            time.sleep(seconds)
