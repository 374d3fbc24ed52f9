"""One data sync on the backup: plan, build the new copy, apply, switch.

Runs in a Celery task. Nothing here writes outside the staging folder and the
partial-file folder until every file is verified; the switch to the new copy
is one atomic rename, so an interruption at any point leaves the previous
complete copy in place and in use.
"""

import errno
import hashlib
import os
import shutil
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from failover import __version__
from failover.sync import database
from failover.sync.paths import ManifestError, check_manifest
from failover.sync.source import SourceError
from failover.sync.store import CopyStore
from failover.sync.throttle import Throttle

CHUNK = 1024 * 1024
PROGRESS_EVERY = 0.5
# Files from this size on are fetched alone (HTTP Range resumes them); smaller
# ones travel in batches of up to BATCH_FILES files or BATCH_BYTES bytes.
SINGLE_FILE_BYTES = 8 * CHUNK
BATCH_FILES = 500
BATCH_BYTES = 32 * CHUNK


class SyncFailed(Exception):
    """The reason a sync failed, fit to show an administrator."""


@dataclass
class Counters:
    """Progress shared by the fetching threads; read by the main thread."""

    files_total: int = 0
    bytes_total: int = 0
    files_done: int = 0
    bytes_done: int = 0
    bytes_transferred: int = 0
    files_fetched: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *, files=0, done=0, transferred=0, fetched=0) -> None:
        with self._lock:
            self.files_done += files
            self.bytes_done += done
            self.bytes_transferred += transferred
            self.files_fetched += fetched


@dataclass(frozen=True)
class SyncResult:
    counters: Counters
    copy_changed: bool
    rows_applied: int | None
    database_digest: str


def _same_tree(entries: list[dict], previous: dict[str, dict]) -> bool:
    def key(entry):
        return (
            entry["type"],
            entry.get("sha256"),
            entry.get("size"),
            entry.get("target"),
            entry.get("mode"),
        )

    return len(entries) == len(previous) and all(
        e["path"] in previous and key(e) == key(previous[e["path"]]) for e in entries
    )


def _metadata(entry: dict) -> tuple:
    return entry["mtime_ns"], entry.get("mode")


def _disk_error(error: OSError, doing: str) -> SyncFailed:
    if error.errno == errno.ENOSPC:
        return SyncFailed(f"disk full on the backup while {doing}")
    return SyncFailed(f"could not write on the backup while {doing}: {error.strerror}")


class Sync:
    def __init__(
        self,
        source,
        store: CopyStore,
        *,
        run_id: int,
        throttle: Throttle,
        report_progress,
        parallel: int = 4,
        last_database_digest: str = "",
    ):
        self.source = source
        self.store = store
        self.run_id = run_id
        self.throttle = throttle
        self.report_progress = report_progress
        self.parallel = parallel
        self.last_database_digest = last_database_digest
        self.counters = Counters()
        self.stop = threading.Event()

    def run(self) -> SyncResult:
        # The limit holds over the whole sync, listing and linking included.
        self.throttle.start()
        try:
            entries = self._manifest()
            rows = self.source.database()
        except SourceError as e:
            raise SyncFailed(str(e)) from None
        files = [e for e in entries if e["type"] == "file"]
        self.counters.files_total = len(files)
        self.counters.bytes_total = sum(e["size"] for e in files)
        try:
            previous = self.store.current_manifest()
        except OSError as e:
            raise _disk_error(e, "reading the current copy") from None
        digest = database.digest(rows)

        changed = not (previous and _same_tree(entries, previous) and self._intact(previous))
        if changed:
            staging = self._build(entries, previous)
        else:
            self.counters.add(files=len(files), done=self.counters.bytes_total)
        applied = None
        if digest != self.last_database_digest:
            try:
                applied = database.apply(rows)
            except database.DatabaseSyncError as e:
                if changed:
                    shutil.rmtree(staging, ignore_errors=True)
                raise SyncFailed(str(e)) from None
        if changed:
            try:
                self.store.publish(staging, entries, self.run_id)
            except OSError as e:
                shutil.rmtree(staging, ignore_errors=True)
                raise _disk_error(e, "switching to the new copy") from None
        self.store.clean_up()
        self.report_progress(self.counters)
        return SyncResult(self.counters, changed, applied, digest)

    def _manifest(self) -> list[dict]:
        manifest = self.source.manifest()
        if not isinstance(manifest, dict):
            raise SyncFailed("the primary's manifest is not a JSON object")
        if manifest.get("version") != __version__:
            raise SyncFailed(
                f"product version mismatch: the primary runs "
                f"{manifest.get('version')}, this site {__version__}"
            )
        try:
            return check_manifest(manifest.get("files"))
        except ManifestError as e:
            raise SyncFailed(f"refused the primary's manifest: {e}") from None

    def _intact(self, previous: dict[str, dict]) -> bool:
        """The current copy still holds what its manifest says (a site that was
        primary in between may have written to it)."""
        current = self.store.current()
        return all(
            self._unchanged(current, entry)
            for entry in previous.values()
            if entry["type"] == "file"
        )

    @staticmethod
    def _unchanged(copy: Path, entry: dict) -> bool:
        try:
            info = os.stat(copy / entry["path"], follow_symlinks=False)
        except OSError:
            return False
        return (info.st_size, info.st_mtime_ns) == (entry["size"], entry["mtime_ns"])

    def _build(self, entries: list[dict], previous: dict[str, dict]) -> Path:
        try:
            staging = self.store.new_staging(self.run_id)
        except OSError as e:
            raise _disk_error(e, "preparing the new copy") from None
        try:
            self._fill(staging, entries, previous)
        except BaseException:
            self.stop.set()
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return staging

    def _fill(self, staging: Path, entries: list[dict], previous: dict[str, dict]) -> None:
        current = self.store.current()
        reusable = {}
        for entry in previous.values():
            if entry["type"] == "file" and self._unchanged(current, entry):
                reusable.setdefault(entry["sha256"], entry)
        wanted: dict[str, list[dict]] = {}
        # Files whose time or mode must be set: fetched ones, and reused ones
        # the primary touched or chmod-ed without changing their content.
        to_stamp = []
        try:
            for entry in entries:
                target = staging / entry["path"]
                if entry["type"] == "dir":
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                if entry["type"] == "link":
                    os.symlink(entry["target"], target)
                elif entry["sha256"] in reusable:
                    source = reusable[entry["sha256"]]
                    # Unchanged: a hard link to the current copy's file, not a copy.
                    os.link(current / source["path"], target)
                    self.counters.add(files=1, done=entry["size"])
                    if _metadata(source) != _metadata(entry):
                        to_stamp.append(entry)
                else:
                    wanted.setdefault(entry["sha256"], []).append(entry)
                    to_stamp.append(entry)
        except OSError as e:
            raise _disk_error(e, "linking unchanged files") from None
        self._fetch_all(staging, wanted)
        try:
            for entry in to_stamp:
                target = staging / entry["path"]
                os.utime(target, ns=(entry["mtime_ns"], entry["mtime_ns"]))
                if "mode" in entry:
                    os.chmod(target, entry["mode"] & 0o7777)
        except OSError as e:
            raise _disk_error(e, "setting file times") from None

    def _fetch_all(self, staging: Path, wanted: dict[str, list[dict]]) -> None:
        if not wanted:
            return
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="sync-fetch") as pool:
            futures = {pool.submit(self._fetch_job, staging, job) for job in _jobs(wanted)}
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
                part = self._receive(first, offset, chunks)
                os.replace(part, staging / first["path"])
                for other in group[1:]:
                    os.link(staging / first["path"], staging / other["path"])
                self.counters.add(
                    files=len(group), done=first["size"] * len(group), fetched=len(group)
                )
        except SourceError as e:
            raise SyncFailed(str(e)) from None
        except OSError as e:
            raise _disk_error(e, f"writing {groups[0][0]['path']}") from None

    def _partial(self, entry: dict) -> Path:
        return self.store.partial / f"{entry['sha256']}.part"

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
        digest = hashlib.sha256()
        if have:
            with open(part, "rb") as f:
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
        with open(part, "ab") as out:
            for chunk in chunks:
                if self.stop.is_set():
                    raise SyncFailed("stopped")
                self.throttle.consume(len(chunk))
                out.write(chunk)
                digest.update(chunk)
                have += len(chunk)
                self.counters.add(transferred=len(chunk))
        if have != entry["size"] or digest.hexdigest() != entry["sha256"]:
            part.unlink(missing_ok=True)
            raise SyncFailed(
                f"{entry['path']} does not match the primary's manifest "
                f"(size or SHA-256 differs); the previous copy is kept"
            )
        return part


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
