"""File bytes on the wire: plain, or in frames compressed with zstd when
the backup asks for it (``?encoding=zstd``, a signed part of the request) and
the data compresses.

A frame is a 4-byte big-endian header (top bit: compressed; the rest: the
payload's length) and its payload, which holds at most FRAME bytes of file
data. The backup refuses a frame that is too long, that does not decompress,
or that would decompress to more than FRAME bytes, before holding more.
"""

import struct
from collections.abc import Iterable, Iterator

import zstandard

ENCODING = "zstd"
ENCODING_HEADER = "X-Failover-Encoding"
FRAME = 1024 * 1024
# A compressed frame is sent only when it saves this much. Whether it may is
# first tried on a sample, and after a frame that does not compress the next
# SKIP frames go plain: incompressible data costs next to no CPU.
WORTH_IT = 0.9
SAMPLE = 64 * 1024
SKIP = 15
_HEADER = struct.Struct(">I")
_COMPRESSED = 1 << 31


class WireError(ValueError):
    pass


def frames(pieces: Iterable[bytes], level: int = 3) -> Iterator[bytes]:
    """Frame each piece (at most FRAME bytes), compressed when worth it."""
    compressor = zstandard.ZstdCompressor(level=level)
    plain_left = 0
    for piece in pieces:
        if plain_left:
            plain_left -= 1
        elif _compresses(compressor, piece[:SAMPLE]):
            packed = compressor.compress(piece)
            if len(packed) < len(piece) * WORTH_IT:
                yield _HEADER.pack(len(packed) | _COMPRESSED) + packed
                continue
            plain_left = SKIP
        else:
            plain_left = SKIP
        # One message with its header: a message of its own costs the web
        # server a hop to the request's thread and the HTTP chunk its framing.
        yield _HEADER.pack(len(piece)) + piece


def _compresses(compressor, sample: bytes) -> bool:
    return len(compressor.compress(sample)) < len(sample) * WORTH_IT


def unframe(read) -> Iterator[tuple[bytes, int]]:
    """(file bytes, payload bytes on the wire) of each frame from ``read(n)``
    (which returns at most n bytes, b"" at the end), until the stream ends.
    The 4-byte headers are left out of the count, as HTTP's own are."""
    decompressor = zstandard.ZstdDecompressor()
    while True:
        header = _read_exactly(read, _HEADER.size, allow_end=True)
        if header is None:
            return
        (word,) = _HEADER.unpack(header)
        length = word & ~_COMPRESSED
        if length > FRAME:
            raise WireError(f"a frame of {length} bytes is larger than allowed")
        payload = _read_exactly(read, length)
        if word & _COMPRESSED:
            try:
                size = zstandard.frame_content_size(payload)
                if not 0 <= size <= FRAME:
                    raise WireError("a compressed frame does not declare a size within bounds")
                data = decompressor.decompress(payload, max_output_size=FRAME)
            except zstandard.ZstdError as e:
                raise WireError(f"a compressed frame is corrupt: {e}") from None
        else:
            data = payload
        yield data, length


def _read_exactly(read, count: int, allow_end: bool = False) -> bytes | None:
    parts, left = [], count
    while left:
        part = read(left)
        if not part:
            if allow_end and left == count:
                return None
            raise WireError("the stream ended inside a frame")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)
