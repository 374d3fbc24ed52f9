"""The one hash of the data sync, BLAKE3: of files (the manifest, the hash
cache, every fetched file), of chunks (delta transfer) and of the database
rows. Several times faster than SHA-256; blake3 releases the GIL, so threads
hash files side by side, and a large file's hash is spread over every core."""

from pathlib import Path

import blake3

NAME = "BLAKE3"
BLOCK = 1024 * 1024
# From this size on a file's hash is spread over every core. Below it the
# callers' own threads (several files at once) use the cores better: the
# hashing threads' hand-offs would cost more than they save.
SPREAD_FROM = 64 * BLOCK


def new(size: int = 0):
    """A hasher to feed as bytes arrive (``update``, ``hexdigest``), for
    ``size`` bytes (0: small or unknown)."""
    if size >= SPREAD_FROM:
        return blake3.blake3(max_threads=blake3.blake3.AUTO)
    return blake3.blake3()


def of(data) -> bytes:
    """The 32-byte digest of a chunk in memory."""
    return blake3.blake3(data).digest()


def text_digest(text: str) -> str:
    return blake3.blake3(text.encode()).hexdigest()


def file_digest(path: Path) -> str:
    """Hex digest of a file, read in blocks: memory does not depend on its size."""
    digest = new(path.stat().st_size)
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()
