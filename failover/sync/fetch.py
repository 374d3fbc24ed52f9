"""Fetching the contents a sync needs from the primary, in parallel: a
changed file with a base in the current copy by delta transfer (``delta.py``),
other large files alone (resumable with HTTP Range), small ones in batches;
every file verified against its digest before it is placed in the new copy."""

import os
import shutil
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path

from failover.sync import delta, hashing
from failover.sync.outcome import SyncFailed, disk_error
from failover.sync.source import SourceError

CHUNK = 1024 * 1024
PROGRESS_EVERY = 0.5
# Files from this size on are fetched alone (HTTP Range resumes them); smaller
# ones travel in batches of up to BATCH_FILES files or BATCH_BYTES bytes.
SINGLE_FILE_BYTES = 8 * CHUNK
BATCH_FILES = 500
BATCH_BYTES = 32 * CHUNK


class Fetcher:
    """Shares one sync's source, throttle, counters and stop flag."""

    def __init__(self, sync, partial: Path, bases=lambda entry: []):
        """``bases(entry)``: files of the current copy that may share chunks
        with ``entry`` (``delta.Bases``)."""
        self.source = sync.source
        self.throttle = sync.throttle
        self.counters = sync.counters
        self.stop = sync.stop
        self.parallel = sync.parallel
        self.report_progress = sync.report_progress
        self.partial = partial
        self.bases = bases

    def on_wire(self, count: int) -> None:
        """Bytes that came over the wire: the limit and the counters hold on them."""
        self.throttle.consume(count)
        self.counters.add(transferred=count)

    def fetch_all(self, staging: Path, wanted: dict[str, list[dict]]) -> None:
        if not wanted:
            return
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="sync-fetch") as pool:
            by_delta, whole = {}, {}
            for sha, group in wanted.items():
                bases = self.bases(group[0])
                (by_delta if bases else whole)[sha] = (group, bases)
            futures = {
                pool.submit(self._delta_job, staging, group, bases)
                for group, bases in by_delta.values()
            } | {
                pool.submit(self._fetch_job, staging, job)
                for job in _jobs({sha: group for sha, (group, _) in whole.items()})
            }
            while futures:
                done, futures = wait(futures, timeout=PROGRESS_EVERY, return_when=FIRST_EXCEPTION)
                self.report_progress(self.counters)
                for future in done:
                    if future.exception() is not None:
                        self.stop.set()
                        for pending in futures:
                            pending.cancel()
                        wait(futures)
                        raise future.exception()

    def _fetch_job(self, staging: Path, groups: list[list[dict]]) -> None:
        """Fetch some contents (each shared by every path of its group) and
        place them: a large file alone with an HTTP Range request, small ones
        together in one streamed request."""
        try:
            offsets = [self._partial_size(group[0]) for group in groups]
            needed = [
                (g[0], offset)
                for g, offset in zip(groups, offsets, strict=True)
                if offset < g[0]["size"]
            ]
            if len(needed) == 1 and needed[0][0]["size"] >= SINGLE_FILE_BYTES:
                streams = iter([self.source.read(*needed[0])])
            else:
                streams = self.source.read_many(needed) if needed else iter(())
            for group, offset in zip(groups, offsets, strict=True):
                first = group[0]
                chunks = next(streams) if offset < first["size"] else iter(())
                self._place(staging, group, self._receive(first, offset, chunks))
        except SourceError as e:
            raise SyncFailed(str(e)) from None
        except OSError as e:
            raise disk_error(e, f"writing {groups[0][0]['path']}") from None

    def _delta_job(self, staging: Path, group: list[dict], bases: list[Path]) -> None:
        """Build a changed file from its bases' chunks and the fetched others."""
        first = group[0]
        try:
            self._partial_size(first)  # drops a partial file longer than declared
            part = self._partial(first)
            digest = hashing.new(first["size"])
            delta.build(self, first, bases, part, digest)
            self._verify(first, part, part.stat().st_size, digest)
            self._place(staging, group, part)
        except SourceError as e:
            raise SyncFailed(str(e)) from None
        except OSError as e:
            raise disk_error(e, f"writing {first['path']}") from None

    def _place(self, staging: Path, group: list[dict], part: Path) -> None:
        """Move a verified file into the new copy, under each of its paths."""
        first = group[0]
        os.replace(part, staging / first["path"])
        placed = {_metadata(first): first}  # one file per time and mode
        for other in group[1:]:
            source = placed.setdefault(_metadata(other), other)
            if source is other:
                source = first
            link_or_copy(staging / source["path"], source, staging / other["path"], other)
        self.counters.add(files=len(group), done=first["size"] * len(group), fetched=len(group))

    def _partial(self, entry: dict) -> Path:
        return self.partial / f"{entry['digest']}.part"

    def _partial_size(self, entry: dict) -> int:
        """How much of the file an earlier sync already fetched."""
        part = self._partial(entry)
        have = part.stat().st_size if part.exists() else 0
        if have > entry["size"]:
            part.unlink()
            return 0
        return have

    def _receive(self, entry: dict, have: int, chunks) -> Path:
        """Append ``chunks`` to the file's partial copy and verify it whole."""
        part = self._partial(entry)
        digest = hashing.new(entry["size"])
        if have:
            with open(part, "rb") as f:
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
        with open(part, "ab") as out:
            for chunk, wire_bytes in chunks:
                if self.stop.is_set():
                    raise SyncFailed("stopped")
                if have + len(chunk) > entry["size"]:
                    out.truncate(0)
                    raise SyncFailed(
                        f"{entry['path']}: the primary sent more than the {entry['size']} "
                        "bytes its manifest declares; the previous copy is kept"
                    )
                self.on_wire(wire_bytes)
                out.write(chunk)
                digest.update(chunk)
                have += len(chunk)
        self._verify(entry, part, have, digest)
        return part

    @staticmethod
    def _verify(entry: dict, part: Path, have: int, digest) -> None:
        if have != entry["size"] or digest.hexdigest() != entry["digest"]:
            part.unlink(missing_ok=True)
            raise SyncFailed(
                f"{entry['path']} does not match the primary's manifest "
                f"(size or {hashing.NAME} digest differs); the previous copy is kept"
            )


def _metadata(entry: dict) -> tuple:
    """Time and mode: only files alike in both may be one inode."""
    return entry["mtime_ns"], entry.get("mode")


def link_or_copy(source: Path, source_entry: dict, target: Path, entry: dict) -> bool:
    """Put the content of ``source`` at ``target``: a hard link when the two
    entries are alike, else a copy of its own (hard links share one time and
    mode, and each file keeps the primary's). True if it copied: the copy's
    time and mode are still to be set."""
    if _metadata(source_entry) == _metadata(entry):
        os.link(source, target)
        return False
    shutil.copyfile(source, target)
    return True


def _jobs(wanted: dict[str, list[dict]]) -> list[list[list[dict]]]:
    """Split the contents to fetch into jobs: each large file alone, small ones
    in batches, so per-request overhead does not dominate many small files."""
    jobs, batch, batch_bytes = [], [], 0
    for group in sorted(wanted.values(), key=lambda g: -g[0]["size"]):
        size = group[0]["size"]
        if size >= SINGLE_FILE_BYTES:
            jobs.append([group])
            continue
        batch.append(group)
        batch_bytes += size
        if batch_bytes >= BATCH_BYTES or len(batch) >= BATCH_FILES:
            jobs.append(batch)
            batch, batch_bytes = [], 0
    if batch:
        jobs.append(batch)
    return jobs
