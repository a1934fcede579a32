"""HAR 1.2 captures: read, write, and convert entries to ``comparators`` requests and responses.

We write HAR the way browsers and mitmproxy's ``hardump`` do (``log.version`` "1.2", a ``creator``, one
entry per exchange with ``request``/``response``/``cache``/``timings``), so any HAR viewer opens our
recordings, and we read theirs. What HAR cannot say natively goes into ``_``-prefixed custom fields, as the
format allows:

* per entry ``_parity: {requestId, poll}`` (the workload's pairing keys) and ``_streamComplete`` (False when
  an SSE stream was cut by the read window rather than ended by the server);
* per log ``_parity: {backend, baseUrl, prefixes: {WORK, HOME, WORKTREES}}``: the per-side path prefixes the
  comparison masks;
* ``postData._encoding: "base64"`` for request bodies that are not UTF-8 text (HAR 1.2 only has
  ``content.encoding`` for responses).

Bodies become bytes exactly: UTF-8 text stays text, anything else is base64, so images and WAV files
round-trip byte for byte. A file that is not a HAR raises :class:`HarError` with a one-line reason.
"""

from __future__ import annotations

import base64
import contextlib
import json
import zlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ConfigDict, Field

from comparators.message import Headers, HttpRequest, HttpResponse

__all__ = [
    "REQUEST_ID_HEADER",
    "REQUEST_POLL_HEADER",
    "HarCapture",
    "HarEntry",
    "HarError",
    "har_document",
    "parse_har",
    "read_har",
    "write_har",
]

REQUEST_ID_HEADER = "x-parity-request-id"
REQUEST_POLL_HEADER = "x-parity-poll"
HAR_VERSION = "1.2"
CREATOR_NAME = "vk-parity"

# HTTP reason phrases for statusText; HAR requires the field, the value is informative only.
_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
}


class HarError(ValueError):
    """The input is not a readable HAR capture; the message is one line saying why."""


class HarEntry(BaseModel):
    """One recorded exchange. ``response`` is None when the request got no answer (``error`` says why)."""

    model_config = ConfigDict(frozen=True)

    started_at: datetime
    time_ms: float
    url: str
    request: HttpRequest
    response: HttpResponse | None
    request_id: str | None = None
    poll: int | None = None
    error: str | None = None

    @property
    def is_poll(self) -> bool:
        return self.poll is not None


class HarCapture(BaseModel):
    """A whole HAR log: entries in start order plus our log-level metadata (absent in foreign HARs)."""

    model_config = ConfigDict(frozen=True)

    entries: tuple[HarEntry, ...] = ()
    creator: str = CREATOR_NAME
    creator_version: str = ""
    backend: str | None = None
    base_url: str | None = None
    prefixes: dict[str, str] = Field(default_factory=dict)

    def with_request_id(self, request_id: str) -> list[HarEntry]:
        """Every entry carrying ``request_id`` (several for a poll), in order."""
        return [entry for entry in self.entries if entry.request_id == request_id]

    def last(self, request_id: str) -> HarEntry:
        """The last entry carrying ``request_id`` (a poll's final try); ``KeyError`` if there is none."""
        found = self.with_request_id(request_id)
        if not found:
            raise KeyError(request_id)
        return found[-1]


# ---------------------------------------------------------------------------------------------- writing


def har_document(capture: HarCapture) -> dict[str, Any]:
    """The HAR 1.2 JSON document of ``capture``."""
    log: dict[str, Any] = {
        "version": HAR_VERSION,
        "creator": {"name": capture.creator, "version": capture.creator_version},
        "pages": [],
        "entries": [_entry_document(entry) for entry in capture.entries],
    }
    if capture.backend is not None or capture.base_url is not None or capture.prefixes:
        log["_parity"] = {"backend": capture.backend, "baseUrl": capture.base_url, "prefixes": dict(capture.prefixes)}
    return {"log": log}


def write_har(path: Path, capture: HarCapture) -> Path:
    """Write ``capture`` to ``path`` (parents created). Returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(har_document(capture), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _entry_document(entry: HarEntry) -> dict[str, Any]:
    request = entry.request
    request_doc: dict[str, Any] = {
        "method": request.method,
        "url": entry.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _header_list(request.headers),
        "queryString": [{"name": k, "value": v} for k, v in parse_qsl(request.query, keep_blank_values=True)],
        "headersSize": -1,
        "bodySize": len(request.body),
    }
    if request.body or request.method in ("POST", "PUT", "PATCH"):
        post: dict[str, Any] = {"mimeType": request.header("content-type") or "", "params": []}
        text, encoded = _body_text(request.body)
        post["text"] = text
        if encoded:
            post["_encoding"] = "base64"
        request_doc["postData"] = post
    document: dict[str, Any] = {
        "startedDateTime": entry.started_at.isoformat(),
        "time": entry.time_ms,
        "request": request_doc,
        "response": _response_document(entry.response, entry.error),
        "cache": {},
        "timings": {"send": 0, "wait": entry.time_ms, "receive": 0},
    }
    if entry.response is not None and (entry.response.is_event_stream or not entry.response.complete):
        document["_streamComplete"] = entry.response.complete
    if entry.request_id is not None or entry.poll is not None:
        document["_parity"] = {"requestId": entry.request_id, "poll": entry.poll}
    return document


def _response_document(response: HttpResponse | None, error: str | None) -> dict[str, Any]:
    if response is None:  # the shape mitmproxy writes for a flow without a response
        return {
            "status": 0,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "_error": error,
        }
    content: dict[str, Any] = {"size": len(response.body), "mimeType": response.header("content-type") or ""}
    text, encoded = _body_text(response.body)
    content["text"] = text
    if encoded:
        content["encoding"] = "base64"
    return {
        "status": response.status,
        "statusText": _REASONS.get(response.status, ""),
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _header_list(response.headers),
        "content": content,
        "redirectURL": response.header("location") or "",
        "headersSize": -1,
        "bodySize": len(response.body),
    }


def _header_list(headers: Headers) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers]


def _body_text(body: bytes) -> tuple[str, bool]:
    """``(text, is_base64)``: UTF-8 text verbatim, anything else (or text with NULs) as base64."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True
    if "\x00" in text:
        return base64.b64encode(body).decode("ascii"), True
    return text, False


# ---------------------------------------------------------------------------------------------- reading


def read_har(path: Path) -> HarCapture:
    """Read a HAR file written by this recorder, mitmproxy (``.har`` or zlib ``.zhar``) or a browser."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise HarError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return parse_har(raw, source=str(path))


def parse_har(raw: bytes | str, *, source: str = "<har>") -> HarCapture:
    """Parse HAR text (or zlib-compressed HAR, as mitmproxy writes ``.zhar``)."""
    data = raw.encode() if isinstance(raw, str) else raw
    if data[:1] not in (b"{", b" ", b"\n", b"\r", b"\t", b"\xef"):
        with contextlib.suppress(zlib.error):  # not compressed: the JSON error below says what is wrong
            data = zlib.decompress(data)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarError(f"{source}: not JSON ({_one_line(exc)})") from exc
    log = document.get("log") if isinstance(document, dict) else None
    if not isinstance(log, dict):
        raise HarError(f'{source}: not a HAR file (no "log" object)')
    entries = log.get("entries")
    if not isinstance(entries, list):
        raise HarError(f'{source}: not a HAR file ("log.entries" is not a list)')
    creator = _object(log.get("creator"))
    meta = _object(log.get("_parity"))
    parsed = []
    for index, item in enumerate(entries):
        try:
            parsed.append(_parse_entry(item))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise HarError(f"{source}: entry {index} is malformed ({_one_line(exc)})") from exc
    prefixes = _object(meta.get("prefixes"))
    return HarCapture(
        entries=tuple(parsed),
        creator=str(creator.get("name", "")),
        creator_version=str(creator.get("version", "")),
        backend=meta.get("backend"),
        base_url=meta.get("baseUrl"),
        prefixes={str(k): str(v) for k, v in prefixes.items() if v},
    )


def _parse_entry(item: Mapping[str, Any]) -> HarEntry:
    request_doc = item["request"]
    response_doc = item.get("response") or {}
    url = str(request_doc["url"])
    parts = urlsplit(url)
    request_headers = _headers(request_doc.get("headers", ()))
    post = request_doc.get("postData") or {}
    request = HttpRequest(
        method=str(request_doc["method"]).upper(),
        path=parts.path or "/",
        query=parts.query,
        headers=request_headers,
        body=_decode_body(post.get("text"), post.get("_encoding") or post.get("encoding")),
    )
    parity = _object(item.get("_parity"))
    request_id = parity.get("requestId") or request.header(REQUEST_ID_HEADER)
    poll = parity.get("poll")
    if poll is None and request.header(REQUEST_POLL_HEADER):
        poll = int(str(request.header(REQUEST_POLL_HEADER)))
    time_ms = float(item.get("time") or 0.0)
    status = int(response_doc.get("status") or 0)
    response = None
    error = response_doc.get("_error")
    if status > 0:
        content = response_doc.get("content") or {}
        response = HttpResponse(
            status=status,
            headers=_headers(response_doc.get("headers", ())),
            body=_decode_body(content.get("text"), content.get("encoding")),
            complete=bool(item.get("_streamComplete", True)),
            elapsed_ms=time_ms,
        )
    elif error is None:
        error = "no response"
    return HarEntry(
        started_at=_parse_time(str(item["startedDateTime"])),
        time_ms=time_ms,
        url=url,
        request=request,
        response=response,
        request_id=str(request_id) if request_id else None,
        poll=int(poll) if poll is not None else None,
        error=str(error) if error is not None else None,
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _headers(items: Iterable[Mapping[str, Any]]) -> Headers:
    return tuple((str(h["name"]), str(h["value"])) for h in items)


def _decode_body(text: str | None, encoding: str | None) -> bytes:
    if not text:
        return b""
    if encoding == "base64":
        return base64.b64decode(text, validate=False)
    return text.encode("utf-8")


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
