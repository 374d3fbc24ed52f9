"""The one hash of the data sync, BLAKE3: of files (the manifest, the hash
cache, every fetched file), of chunks (delta transfer) and of the database
rows. Several times faster than SHA-256, and a large file's hash is spread
over every core (blake3 releases the GIL and threads big updates itself)."""

from pathlib import Path

import blake3

NAME = "BLAKE3"
BLOCK = 1024 * 1024


def new():
    """A hasher to feed as bytes arrive (``update``, ``hexdigest``)."""
    return blake3.blake3(max_threads=blake3.blake3.AUTO)


def of(data) -> bytes:
    """The 32-byte digest of a chunk in memory."""
    return blake3.blake3(data).digest()


def text_digest(text: str) -> str:
    return blake3.blake3(text.encode()).hexdigest()


def file_digest(path: Path) -> str:
    """Hex digest of a file, read in blocks: memory does not depend on its size."""
    digest = new()
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()
