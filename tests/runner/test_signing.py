"""Signing. Interoperability with the Convex side is proven in test_convex_api (a real host verifies)."""

from __future__ import annotations

import hashlib
import hmac
import re

from runner.signing import HEADER_KEY_ID, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, sign, signed_headers


def test_signature_covers_timestamp_nonce_and_body() -> None:
    expected = hmac.new(b"s", b"1700000000.abc.{}", hashlib.sha256).hexdigest()
    assert sign(b"s", "1700000000", "abc", b"{}") == expected
    assert sign(b"s", "1700000001", "abc", b"{}") != expected
    assert sign(b"s", "1700000000", "abd", b"{}") != expected
    assert sign(b"s", "1700000000", "abc", b"{ }") != expected
    assert sign(b"t", "1700000000", "abc", b"{}") != expected


def test_headers_use_a_fresh_nonce_each_time() -> None:
    first = signed_headers("k1", b"secret", b"{}", now=1700000000.9)
    second = signed_headers("k1", b"secret", b"{}", now=1700000000.9)
    assert first[HEADER_KEY_ID] == "k1"
    assert first[HEADER_TIMESTAMP] == "1700000000"
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,128}", first[HEADER_NONCE])
    assert first[HEADER_NONCE] != second[HEADER_NONCE]
    assert first[HEADER_SIGNATURE] == sign(b"secret", "1700000000", first[HEADER_NONCE], b"{}")
