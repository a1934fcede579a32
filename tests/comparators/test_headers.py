from __future__ import annotations

from comparators.headers import NEVER_COMPARED, compared_names, diff_headers, normalized_header
from comparators.result import DiffKind


def test_content_type_keeps_media_type_and_charset_only() -> None:
    assert normalized_header("Content-Type", "Text/Plain; Charset=UTF-8; boundary=x") == "text/plain; charset=utf-8"
    assert normalized_header("content-type", "application/json") == "application/json"
    assert normalized_header("content-type", None) is None


def test_list_headers_compare_as_sets() -> None:
    assert normalized_header("allow", "GET,HEAD") == normalized_header("Allow", "head, get")
    assert normalized_header("cache-control", "public, max-age=31536000") == normalized_header(
        "cache-control", "max-age=31536000,public"
    )


def test_content_type_is_always_compared_and_noise_headers_never() -> None:
    primary = (
        ("Content-Type", "application/json"),
        ("Date", "Thu, 26 Nov 2026 07:12:12 GMT"),
        ("content-length", "61"),
    )
    candidate = (
        ("content-type", "application/json; charset=utf-8"),
        ("date", "Fri, 27 Nov 2026 00:00:00 GMT"),
        ("server", "convex"),
    )
    assert [(d.path, d.kind, d.primary, d.candidate) for d in diff_headers(primary, candidate)] == [
        ("/headers/content-type", DiffKind.HEADER, "application/json", "application/json; charset=utf-8")
    ]
    assert diff_headers(primary, candidate, ["date", "content-length", "server"]) == diff_headers(primary, candidate)
    assert {"date", "server", "content-length", "transfer-encoding", "connection"} <= NEVER_COMPARED


def test_listed_headers_and_star() -> None:
    primary = (("cache-control", "public, max-age=31536000"), ("x-a", "1"), ("Connection", "keep-alive"))
    candidate = (("x-a", "2"),)
    assert [d.path for d in diff_headers(primary, candidate, ["cache-control"])] == ["/headers/cache-control"]
    assert compared_names(primary, candidate, ["*"]) == ["content-type", "cache-control", "x-a"]
    assert [d.path for d in diff_headers(primary, candidate, ["*"])] == ["/headers/cache-control", "/headers/x-a"]


def test_repeated_headers_are_joined() -> None:
    assert diff_headers((("vary", "a"), ("vary", "b")), (("vary", "b, a"),), ["vary"]) == []


def test_identical_headers_differ_nowhere_whatever_is_listed() -> None:
    headers = (("Content-Type", "text/plain; charset=UTF-8"), ("x-a", "1"), ("Date", "Thu, 26 Nov 2026 07:12:12 GMT"))
    assert diff_headers(headers, headers, ["*"]) == []
    assert diff_headers(headers, tuple(headers), ["x-a"]) == []
    # one value more on one side is seen again once the tuples differ
    assert [d.path for d in diff_headers(headers, (*headers, ("x-a", "2")), ["*"])] == ["/headers/x-a"]


def test_remembered_normalized_values_are_the_computed_ones() -> None:
    first = normalized_header("content-type", "Application/JSON; charset=utf-8")
    assert (
        first
        == normalized_header("Content-Type", "Application/JSON; charset=utf-8")
        == "application/json; charset=utf-8"
    )
