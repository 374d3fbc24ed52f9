"""A diverged copy as a .tar.gz: its files with paths relative to the data
directory, and ``rows.json``. Streamed with bounded memory: a writer thread
fills a small queue that the response reads."""

import queue
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

from failover.models import DivergedCopy
from failover.services.diverged import folder

CHUNKS_AHEAD = 8
# gzip writes in small pieces: each chunk handed on is at least this big.
CHUNK = 256 * 1024


def _add_all(tar: tarfile.TarFile, copy: DivergedCopy) -> None:
    root = folder(copy.pk)
    files = root / "files"
    if files.is_dir():
        for path in sorted(files.rglob("*")):
            tar.add(path, arcname=str(path.relative_to(files)), recursive=False)
    rows = root / "rows.json"
    if rows.exists():
        tar.add(rows, arcname="rows.json")


def write(copy: DivergedCopy, output: Path) -> None:
    with tarfile.open(output, "w:gz") as tar:
        _add_all(tar, copy)


class _Closed(Exception):
    pass


class _QueueWriter:
    """A file object whose writes go to a bounded queue (blocking when full)."""

    def __init__(self, chunks: queue.Queue, closed: threading.Event):
        self.chunks, self.closed = chunks, closed
        self.pending = bytearray()

    def write(self, data) -> int:
        self.pending += data
        if len(self.pending) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.pending:
            self.put(bytes(self.pending))
            self.pending.clear()

    def put(self, item) -> None:
        while True:
            if self.closed.is_set():
                raise _Closed
            try:
                self.chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue


def stream(copy: DivergedCopy) -> Iterator[bytes]:
    chunks: queue.Queue = queue.Queue(CHUNKS_AHEAD)
    closed = threading.Event()
    failure: list[BaseException] = []

    writer = _QueueWriter(chunks, closed)

    def produce():
        try:
            try:
                with tarfile.open(fileobj=writer, mode="w|gz") as tar:
                    _add_all(tar, copy)
            except _Closed:
                raise
            except BaseException as e:  # noqa: BLE001 - re-raised in the reader
                failure.append(e)
            writer.flush()
            writer.put(None)
        except _Closed:
            return

    threading.Thread(target=produce, daemon=True, name=f"diverged-{copy.pk}").start()
    try:
        while (chunk := chunks.get()) is not None:
            yield chunk
        if failure:
            raise failure[0]
    finally:
        closed.set()
