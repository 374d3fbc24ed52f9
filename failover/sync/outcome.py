"""What a sync reports: its counters while it runs, its result, and why it failed."""

import errno
import threading
from dataclasses import dataclass, field


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
    data_version: str = ""  # the primary's (sync/changes.py); "" from none


def disk_error(error: OSError, doing: str) -> SyncFailed:
    if error.errno == errno.ENOSPC:
        return SyncFailed(f"disk full on the backup while {doing}")
    return SyncFailed(f"could not write on the backup while {doing}: {error.strerror}")
