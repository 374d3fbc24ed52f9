"""File bytes on the wire: zstd frames where the data compresses, plain
otherwise, and hostile frames refused before they cost memory."""

import io
import os
import struct

import pytest
import zstandard

from failover.sync import wire
from failover.sync.source import SourceError, Stream

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


class FakeResponse:
    def __init__(self, body: bytes, framed: bool):
        self.raw = io.BytesIO(body)
        self.headers = {wire.ENCODING_HEADER: wire.ENCODING} if framed else {}
        self.closed = False

    def close(self):
        self.closed = True


@pytest.mark.parametrize("framed", [True, False])
def test_a_stream_is_taken_chunk_by_chunk_across_frames(framed):
    data = os.urandom(3 * MB) + b"log line\n" * 200_000
    pieces = [data[i : i + MB] for i in range(0, len(data), MB)]
    body = b"".join(wire.frames(pieces)) if framed else data
    response = FakeResponse(body, framed)
    taken, wire_bytes = [], 0
    with Stream(response) as stream:
        for size in [10, 300_000, MB + 7, 5] + [50_000] * 40:
            chunk, cost = stream.read(size, "f")
            taken.append(chunk)
            wire_bytes += cost
        rest = data[sum(len(c) for c in taken) :]
        taken += [piece for piece, _ in stream.take(len(rest), "f")]
        with pytest.raises(SourceError, match="ended inside f"):
            stream.read(1, "f")
    assert b"".join(taken) == data
    assert response.closed
    assert wire_bytes <= len(body)
