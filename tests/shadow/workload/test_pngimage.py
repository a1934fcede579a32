from __future__ import annotations

import struct
import zlib

import pytest

from shadow.workload.pngimage import solid_png


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, payload = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + payload) & 0xFFFFFFFF
        chunks.append((kind, payload))
        offset += 12 + length
    return chunks


def test_png_is_well_formed_and_holds_the_pixels() -> None:
    data = solid_png(3, 2, (1, 2, 3))
    chunks = _chunks(data)
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    assert struct.unpack(">IIBBBBB", chunks[0][1]) == (3, 2, 8, 2, 0, 0, 0)
    assert zlib.decompress(chunks[1][1]) == (b"\x00" + b"\x01\x02\x03" * 3) * 2


def test_png_is_deterministic_and_colour_dependent() -> None:
    assert solid_png(4, 4, (9, 9, 9)) == solid_png(4, 4, (9, 9, 9)) != solid_png(4, 4, (9, 9, 8))
    with pytest.raises(ValueError):
        solid_png(0, 1, (0, 0, 0))
