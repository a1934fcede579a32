"""Tiny, valid PNG images generated in code (no image library, no binary fixture files).

The bytes depend only on the arguments, so both backends receive identical uploads and their sha256
hashes (which the images API returns) compare equal.
"""

from __future__ import annotations

import struct
import zlib

__all__ = ["solid_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def solid_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """An 8-bit RGB PNG of one colour."""
    if width < 1 or height < 1:
        raise ValueError("a PNG needs at least one pixel")
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit depth, colour type 2 (RGB)
    row = b"\x00" + bytes(rgb) * width  # filter byte 0 (None) before every scanline
    pixels = zlib.compress(row * height, 9)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, payload: bytes) -> bytes:
    checksum = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", checksum)
