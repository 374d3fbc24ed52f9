"""One data sync on the backup: plan, build the new copy, apply, switch.

Runs in a Celery task. Nothing here writes outside the staging folder and the
partial-file folder until every file is verified; the switch to the new copy
is one atomic rename, so an interruption at any point leaves the previous
complete copy in place and in use.
"""

import os
import shutil
import threading
from pathlib import Path

from failover import __version__
from failover.domain.versions import version_mismatch
from failover.sync import database
from failover.sync.delta import Bases
from failover.sync.fetch import Fetcher, link_or_copy
from failover.sync.outcome import Counters, SyncFailed, SyncResult, disk_error
from failover.sync.paths import DEFAULT_LIMITS, Limits, ManifestError, check_manifest
from failover.sync.source import SourceError
from failover.sync.store import CopyStore
from failover.sync.throttle import Throttle


def _same_tree(entries: list[dict], previous: dict[str, dict]) -> bool:
    def key(entry):
        return (
            entry["type"],
            entry.get("digest"),
            entry.get("size"),
            entry.get("target"),
            entry.get("mode"),
        )

    return len(entries) == len(previous) and all(
        e["path"] in previous and key(e) == key(previous[e["path"]]) for e in entries
    )


def _content_and_metadata(entry: dict) -> tuple:
    return entry["digest"], entry["mtime_ns"], entry.get("mode")


def _data_version(manifest: dict) -> str:
    version = manifest.get("data_version")
    return version if isinstance(version, str) else ""


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
        limits: Limits = DEFAULT_LIMITS,
        known_version: str = "",
        check_copy: bool = True,
        before_replacing=None,
    ):
        """``known_version``: the primary's data version this copy holds, for
        a one-round-trip "unchanged" answer; with ``check_copy`` that answer
        also needs the copy here to be as it was synced (else the sync lists
        everything and mends it). ``before_replacing(entries, rows)``: called
        before anything of the current data is replaced."""
        self.source = source
        self.store = store
        self.run_id = run_id
        self.throttle = throttle
        self.report_progress = report_progress
        self.parallel = parallel
        self.last_database_digest = last_database_digest
        self.limits = limits
        self.known_version = known_version
        self.check_copy = check_copy
        self.before_replacing = before_replacing or (lambda entries, rows: None)
        self.counters = Counters()
        self.stop = threading.Event()

    def run(self) -> SyncResult:
        # The limit holds over the whole sync, listing and linking included.
        self.throttle.start()
        try:
            manifest = self._manifest(self.known_version)
            if manifest.get("unchanged") is True and _data_version(manifest) == self.known_version:
                held = self._copy_as_synced() if self.check_copy else {}
                if held is not None:
                    self._count(held.values())
                    self._all_held()
                    self.report_progress(self.counters)
                    return SyncResult(
                        self.counters, False, None, self.last_database_digest, self.known_version
                    )
                manifest = self._manifest("")  # the copy here changed: mend it
            data_version = _data_version(manifest)
            entries = self._entries(manifest)
            rows = self.source.database()
        except SourceError as e:
            raise SyncFailed(str(e)) from None
        self._count(entries)
        try:
            previous = self.store.current_manifest()
        except OSError as e:
            raise disk_error(e, "reading the current copy") from None
        digest = database.digest(rows)

        changed = not (previous and _same_tree(entries, previous) and self._intact(previous))
        if changed:
            staging = self._build(entries, previous)
        else:
            self._all_held()
        if changed or digest != self.last_database_digest:
            try:
                self.before_replacing(entries, rows)
            except BaseException:
                if changed:
                    shutil.rmtree(staging, ignore_errors=True)
                raise
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
                raise disk_error(e, "switching to the new copy") from None
        self.store.clean_up()
        self.report_progress(self.counters)
        return SyncResult(self.counters, changed, applied, digest, data_version)

    def _manifest(self, known_version: str) -> dict:
        manifest = self.source.manifest(known_version)
        if not isinstance(manifest, dict):
            raise SyncFailed("the primary's manifest is not a JSON object")
        mismatch = version_mismatch(__version__, manifest.get("version"), "the primary")
        if mismatch:
            raise SyncFailed(mismatch)
        return manifest

    def _entries(self, manifest: dict) -> list[dict]:
        try:
            return check_manifest(manifest.get("files"), self.limits)
        except ManifestError as e:
            raise SyncFailed(f"refused the primary's manifest: {e}") from None

    def _count(self, entries) -> None:
        """The files among ``entries`` are the sync's totals."""
        files = [e for e in entries if e["type"] == "file"]
        self.counters.files_total = len(files)
        self.counters.bytes_total = sum(e["size"] for e in files)

    def _all_held(self) -> None:
        """Every file is already here: all done, nothing fetched."""
        self.counters.add(files=self.counters.files_total, done=self.counters.bytes_total)

    def _copy_as_synced(self) -> dict[str, dict] | None:
        """The current copy's manifest if the copy still holds it, else None."""
        try:
            previous = self.store.current_manifest()
        except OSError:
            return None
        return previous if previous and self._intact(previous) else None

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
            raise disk_error(e, "preparing the new copy") from None
        try:
            self._fill(staging, entries, previous)
        except BaseException:
            self.stop.set()
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return staging

    def _fill(self, staging: Path, entries: list[dict], previous: dict[str, dict]) -> None:
        current = self.store.current()
        # Contents the current copy holds: by digest, time and mode (a hard
        # link will do), and by digest alone (a local copy will).
        alike_held, held = {}, {}
        for entry in previous.values():
            if entry["type"] == "file" and entry["digest"] and self._unchanged(current, entry):
                alike_held.setdefault(_content_and_metadata(entry), entry)
                held.setdefault(entry["digest"], entry)
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
                elif entry["digest"] in held:
                    source = alike_held.get(_content_and_metadata(entry), held[entry["digest"]])
                    # Unchanged: a hard link to the current copy's file, or a
                    # local copy of it; nothing from the primary.
                    if link_or_copy(current / source["path"], source, target, entry):
                        to_stamp.append(entry)
                    self.counters.add(files=1, done=entry["size"])
                else:
                    wanted.setdefault(entry["digest"], []).append(entry)
                    to_stamp.append(entry)
        except OSError as e:
            raise disk_error(e, "reusing unchanged files") from None
        bases = Bases(current, previous, entries)
        Fetcher(self, self.store.partial, bases).fetch_all(staging, wanted)
        try:
            for entry in to_stamp:
                target = staging / entry["path"]
                os.utime(target, ns=(entry["mtime_ns"], entry["mtime_ns"]))
                if "mode" in entry:
                    # Permission bits only: a setuid or setgid bit from the
                    # primary must not reach a backup whose worker may be root.
                    os.chmod(target, entry["mode"] & 0o777)
        except OSError as e:
            raise disk_error(e, "setting file times") from None
