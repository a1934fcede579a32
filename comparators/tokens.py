"""Mask tokens: what a masked value looks like after normalization, and how the differ recognises one.

Normalizers replace volatile values with tokens (``<uuid:3>``, ``<ts>``, ``<sha>``, ``<WORK>``); the differ
must tell a *format* difference (a timestamp token against a plain string, a UUID reference against a
Convex-style id) from an ordinary value difference, and list reorderings must be recognised even when the
first-appearance numbering of UUIDs shifted with the order. Both sides of that contract live here.
"""

from __future__ import annotations

import re

from comparators.scan import split_uuids

__all__ = [
    "UUID_TEXT",
    "collapse_uuid_refs",
    "token_family",
    "ts_token",
    "uuid_token",
    "uuid_tokens",
]

# A UUID of any version (seeded templates use randomblob(16): arbitrary version and variant nibbles,
# CONTRACT-CORRECTIONS item 9), not glued to more hex or dashes on either side.
_UUID = r"(?<![0-9A-Fa-f-])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f-])"
UUID_TEXT = re.compile(_UUID)
_UUID_REF_BYTES = re.compile(rb"<uuid:\d+>")
_TOKEN = re.compile(r"<(uuid):\d+>|<(ts)(?::[a-z0-9-]+)?>")


def uuid_token(number: int) -> str:
    """The n-th distinct UUID of a document (numbered from 1 by first appearance)."""
    return f"<uuid:{number}>"


_UUID_TOKENS: list[bytes] = []


def uuid_tokens(count: int) -> list[bytes]:
    """``[b"<uuid:1>", ..., b"<uuid:count>"]`` (built once, shared: numbering is a hot path)."""
    while len(_UUID_TOKENS) < count:
        _UUID_TOKENS.append(uuid_token(len(_UUID_TOKENS) + 1).encode())
    return _UUID_TOKENS[:count]


def ts_token(family: str | None = None) -> str:
    """A masked timestamp; ``family`` names a format class when it must be kept (``<ts:ms>``)."""
    return "<ts>" if family is None else f"<ts:{family}>"


def token_family(value: object) -> str | None:
    """``"uuid"`` for a UUID reference (a ``<uuid:n>`` token, or a UUID kept literal because both sides
    know it), ``"ts"`` for a timestamp token, else None."""
    if not isinstance(value, str):
        return None
    if not value.startswith("<"):
        return "uuid" if len(value) == 36 and UUID_TEXT.fullmatch(value) else None
    match = _TOKEN.fullmatch(value)
    if match is None:
        return None
    return match.group(1) or match.group(2)


def collapse_uuid_refs(canonical: bytes) -> bytes:
    """Forget which UUID a reference points to (``<uuid:7>`` → ``<uuid>``) and hide raw UUIDs the same way.

    First-appearance numbering follows document order, so reordering a list renumbers its references;
    comparing collapsed forms tells "same elements, other order" from "different elements".
    """
    if b"<uuid:" in canonical:
        canonical = _UUID_REF_BYTES.sub(b"<uuid>", canonical)
    pieces = split_uuids(canonical)
    if len(pieces) == 1:
        return canonical
    pieces[1::2] = [b"<uuid>"] * (len(pieces) // 2)
    return b"".join(pieces)
