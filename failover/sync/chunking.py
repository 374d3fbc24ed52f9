"""Content-defined chunks of a file (FastCDC), and the chunk list the primary
sends for a delta transfer: computed on both sides, checked on the backup.

Chunk boundaries depend on the bytes around them, not on offsets, so an edit
moves only the chunks it touches and an insertion does not shift the others;
a chunk is found again in another file (a renamed copy) just as well.
"""

import base64
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyfastcdc import FastCDC

from failover.sync import hashing

DIGEST_BYTES = 32
# Average chunk sizes a chunk list may declare (powers of two); chunks grow
# with the file, as rsync's blocks do, so a list stays a few thousand entries.
SMALLEST_AVERAGE = 8 * 1024
LARGEST_AVERAGE = 1024 * 1024
# Byte ranges one sync/ranges request may ask for (adjacent chunks merged).
MAX_RANGES = 10_000


class ChunkListError(ValueError):
    pass


@dataclass(frozen=True)
class Chunk:
    offset: int
    length: int
    digest: bytes


def average_for(size: int) -> int:
    """The average chunk size for a file of ``size`` bytes: about 8 sqrt(size)."""
    target = math.isqrt(size) * 8
    average = SMALLEST_AVERAGE
    while average < target and average < LARGEST_AVERAGE:
        average *= 2
    return average


def limits_of(average: int) -> tuple[int, int]:
    """The smallest and largest chunk FastCDC cuts at this average."""
    return average // 4, average * 4


def chunk_digest(data) -> bytes:
    return hashing.of(data)


def chunks_of(path: Path, average: int) -> Iterator[Chunk]:
    """The file's chunks, read as a stream: memory does not depend on its size."""
    with open(path, "rb") as f:
        for cut in FastCDC(average).cut_stream(f):
            yield Chunk(cut.offset, cut.length, chunk_digest(cut.data))


def encode(average: int, chunks: list[Chunk]) -> dict:
    return {
        "average": average,
        "lengths": [c.length for c in chunks],
        "digests": base64.b64encode(b"".join(c.digest for c in chunks)).decode(),
    }


def max_encoded_bytes(size: int) -> int:
    """What a sane chunk list for a file of ``size`` bytes may weigh in JSON."""
    smallest, _ = limits_of(SMALLEST_AVERAGE)
    return (size // smallest + 1) * (DIGEST_BYTES * 4 // 3 + 12) + 1024


def decode(payload, size: int) -> tuple[int, list[Chunk]]:
    """The (average, chunks) of a chunk list for a file of ``size`` bytes.
    Raises ChunkListError unless every chunk is possible for that average and
    the chunks cover the file exactly."""
    if not isinstance(payload, dict):
        raise ChunkListError("the chunk list is not a JSON object")
    average, lengths, digests = (payload.get(k) for k in ("average", "lengths", "digests"))
    if (
        not isinstance(average, int)
        or average < SMALLEST_AVERAGE
        or average > LARGEST_AVERAGE
        or average & (average - 1)
    ):
        raise ChunkListError(f"the chunk list declares an invalid average size {average!r}")
    smallest, largest = limits_of(average)
    if not isinstance(lengths, list) or not lengths and size:
        raise ChunkListError("the chunk list has no lengths")
    if len(lengths) > size // smallest + 1:
        raise ChunkListError(f"the chunk list has too many chunks ({len(lengths)})")
    if not all(type(n) is int and 0 < n <= largest for n in lengths):
        raise ChunkListError(f"the chunk list has a chunk length outside 1 to {largest}")
    if sum(lengths) != size:
        raise ChunkListError(f"the chunk list covers {sum(lengths)} bytes, not {size}")
    try:
        raw = base64.b64decode(digests, validate=True) if isinstance(digests, str) else None
    except ValueError:
        raw = None
    if raw is None or len(raw) != DIGEST_BYTES * len(lengths):
        raise ChunkListError("the chunk list's digests do not match its lengths")
    chunks, offset = [], 0
    for i, length in enumerate(lengths):
        chunks.append(Chunk(offset, length, raw[i * DIGEST_BYTES : (i + 1) * DIGEST_BYTES]))
        offset += length
    return average, chunks
