"""Signed envelopes for the runner protocol: HMAC-SHA256 over ``timestamp + "." + nonce + "." + body``.

The Convex side (``convex/lib/runnerAuth.ts``) checks the same bytes, refuses timestamps outside its
replay window and any nonce it has seen. A fresh nonce per request means a retry is signed anew.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

__all__ = ["HEADER_KEY_ID", "HEADER_NONCE", "HEADER_SIGNATURE", "HEADER_TIMESTAMP", "sign", "signed_headers"]

HEADER_KEY_ID = "x-runner-key-id"
HEADER_TIMESTAMP = "x-runner-timestamp"
HEADER_NONCE = "x-runner-nonce"
HEADER_SIGNATURE = "x-runner-signature"


def sign(secret: bytes, timestamp: str, nonce: str, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256 of the signed message."""
    message = timestamp.encode("ascii") + b"." + nonce.encode("ascii") + b"." + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signed_headers(
    key_id: str, secret: bytes, body: bytes, *, now: float | None = None, nonce: str | None = None
) -> dict[str, str]:
    """The four headers for one request (``now`` and ``nonce`` are for tests)."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce if nonce is not None else secrets.token_urlsafe(18)
    return {
        HEADER_KEY_ID: key_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: sign(secret, timestamp, nonce, body),
    }
