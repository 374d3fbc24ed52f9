"""File bytes on the wire: zstd frames where the data compresses, plain
otherwise, and hostile frames refused before they cost memory."""

import io
import os
import struct

import pytest
import zstandard

from failover.sync import wire

MB = 1024 * 1024


def _decode(encoded: bytes) -> list[tuple[bytes, int]]:
    return list(wire.unframe(io.BytesIO(encoded).read))


def test_compressible_data_travels_compressed():
    text = b"2026-11-26 01:00:00 INFO request served in 12 ms\n" * 40_000
    pieces = [text[i : i + MB] for i in range(0, len(text), MB)]
    encoded = b"".join(wire.frames(pieces))
    decoded = _decode(encoded)
    assert b"".join(d for d, _ in decoded) == text
    assert sum(w for _, w in decoded) + 4 * len(decoded) == len(encoded) < len(text) / 20


def test_incompressible_data_travels_plain_with_a_small_header():
    noise = [os.urandom(MB) for _ in range(3)]
    encoded = b"".join(wire.frames(noise))
    assert len(encoded) == 3 * MB + 3 * 4
    assert [d for d, _ in _decode(encoded)] == noise


def _frame(payload: bytes, compressed: bool) -> bytes:
    return struct.pack(">I", len(payload) | (1 << 31 if compressed else 0)) + payload


@pytest.mark.parametrize(
    "encoded,reason",
    [
        (struct.pack(">I", wire.FRAME + 1), "larger than allowed"),
        (_frame(b"x" * 100, False)[:50], "ended inside a frame"),
        (_frame(b"not zstd at all", True), "corrupt"),
        (
            _frame(zstandard.ZstdCompressor().compress(b"\0" * (wire.FRAME + 1)), True),
            "size within bounds",
        ),
        (
            _frame(zstandard.ZstdCompressor(write_content_size=False).compress(b"\0" * 1000), True),
            "size within bounds",
        ),
    ],
)
def test_hostile_frames_are_refused(encoded, reason):
    with pytest.raises(wire.WireError, match=reason):
        _decode(encoded)
