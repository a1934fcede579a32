from __future__ import annotations

import json
from typing import Any

import pytest

import comparators.bodies as bodies
from comparators.bodies import TEXT_EXCERPT, diff_bodies, stream_comparator
from comparators.error_shapes import classify
from comparators.message import HttpResponse
from comparators.normalize import NormalizeContext, Normalizer, RuleRef
from comparators.result import Diff, DiffKind

NORMALIZER = Normalizer([RuleRef(rule="mask_uuid"), RuleRef(rule="mask_path_prefix")])
CONTEXTS = (NormalizeContext(prefixes={"WORK": "/tmp/w1"}), NormalizeContext(prefixes={"WORK": "/tmp/w2"}))
SSE = (("content-type", "text/event-stream"),)


def compare(primary: HttpResponse, candidate: HttpResponse, **kwargs: Any) -> list[Diff]:
    return diff_bodies(NORMALIZER, primary, candidate, (classify(primary), classify(candidate)), CONTEXTS, **kwargs)


def events(*patches: list[dict[str, Any]], finished: bool = True) -> bytes:
    text = "".join(f"event: json_patch\ndata: {json.dumps(p)}\n\n" for p in patches)
    return (text + ("event: finished\ndata: \n\n" if finished else "")).encode()


def test_json_bodies_are_normalized_per_side() -> None:
    primary = HttpResponse(
        status=200, headers=(("content-type", "application/json"),), body=b'{"path": "/tmp/w1/repo"}'
    )
    candidate = HttpResponse(
        status=200, headers=(("content-type", "application/json"),), body=b'{"path": "/tmp/w2/repo"}'
    )
    assert compare(primary, candidate) == []
    other = HttpResponse(status=200, headers=(("content-type", "application/json"),), body=b'{"path": "/tmp/w2/other"}')
    assert [(d.path, d.kind) for d in compare(primary, other)] == [("/body/path", DiffKind.VALUE)]


def test_integers_beyond_64_bits_are_diffed_exactly() -> None:
    json_type = (("content-type", "application/json"),)
    big = 2**70
    primary = HttpResponse(status=200, headers=json_type, body=b'{"n": %d, "w": "/tmp/w1"}' % big)
    candidate = HttpResponse(status=200, headers=json_type, body=b'{"n": %d, "w": "/tmp/w2"}' % (big + 1))
    # a float would make both 2**70 (equal); the exact integers differ by one
    assert [(d.path, d.primary, d.candidate) for d in compare(primary, candidate)] == [("/body/n", big, big + 1)]
    fits = HttpResponse(status=200, headers=json_type, body=b'{"n": %d, "w": "/tmp/w2"}' % (2**64 - 2))
    edge = HttpResponse(status=200, headers=json_type, body=b'{"n": %d, "w": "/tmp/w1"}' % (2**64 - 1))
    assert [(d.primary, d.candidate) for d in compare(edge, fits)] == [(2**64 - 1, 2**64 - 2)]


def test_text_bodies_are_masked_and_excerpted() -> None:
    text = (("content-type", "text/plain; charset=utf-8"),)
    a = HttpResponse(status=400, headers=text, body=b"Failed: /tmp/w1/x")
    b = HttpResponse(status=400, headers=text, body=b"Failed: /tmp/w2/x")
    assert compare(a, b) == []
    long = HttpResponse(status=400, headers=text, body=b"y" * (TEXT_EXCERPT * 2))
    (diff,) = compare(a, long)
    assert diff.kind is DiffKind.BODY and len(diff.candidate) < TEXT_EXCERPT + 40


def test_binary_bodies_are_fingerprinted() -> None:
    png = (("content-type", "image/png"),)
    (diff,) = compare(
        HttpResponse(status=200, headers=png, body=b"\x89PNG\x00"),
        HttpResponse(status=200, headers=png, body=b"\x89PNG\x01"),
    )
    assert diff.path == "/body" and diff.primary.startswith("5 bytes, sha256 ")


def test_streams_without_the_stream_comparator_fall_back_to_masked_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # The stream comparator is another module that may be absent: simulate its absence at that seam.
    monkeypatch.setattr(bodies, "stream_comparator", lambda: None)
    a = HttpResponse(
        status=200, headers=SSE, body=events([{"op": "add", "path": "/entries/0", "value": {"content": "/tmp/w1/a"}}])
    )
    b = HttpResponse(
        status=200, headers=SSE, body=events([{"op": "add", "path": "/entries/0", "value": {"content": "/tmp/w2/a"}}])
    )
    assert compare(a, b, stream="raw_logs") == []
    c = HttpResponse(
        status=200, headers=SSE, body=events([{"op": "add", "path": "/entries/0", "value": {"content": "other"}}])
    )
    (diff,) = compare(a, c, stream="raw_logs")
    assert diff.path == "/stream" and "not installed" in (diff.note or "")


@pytest.mark.skipif(stream_comparator() is None, reason="comparators.streams has not landed on this branch yet")
def test_streams_are_handed_to_the_stream_comparator() -> None:
    logs = [{"op": "add", "path": "/entries/0", "value": {"type": "STDOUT", "content": "hello from /tmp/w1\n"}}]
    same = [{"op": "add", "path": "/entries/0", "value": {"type": "STDOUT", "content": "hello from /tmp/w2\n"}}]
    a = HttpResponse(status=200, headers=SSE, body=events(logs))
    assert compare(a, HttpResponse(status=200, headers=SSE, body=events(same)), stream="raw_logs") == []
    other = [{"op": "add", "path": "/entries/0", "value": {"type": "STDOUT", "content": "bye\n"}}]
    diffs = compare(a, HttpResponse(status=200, headers=SSE, body=events(other)), stream="raw_logs")
    assert diffs and all(d.path.startswith("/stream") for d in diffs)
