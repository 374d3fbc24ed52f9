"""The primary's watch on its data directory (inotify, every folder), for
continuous sync. It calls ``on_change(source)`` once per burst of changes:
``files``; or ``rescan`` when changes may have gone unseen (it just started,
the kernel's event queue overflowed, the data directory was repointed), so
the next sync lists everything.

Runs in a thread of the worker's main process, started with the worker.
"""

import errno
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from inotify_simple import INotify, flags

from failover.models import DataChange

log = logging.getLogger(__name__)

MASK = (
    flags.CREATE
    | flags.DELETE
    | flags.MODIFY
    | flags.CLOSE_WRITE
    | flags.ATTRIB
    | flags.MOVED_FROM
    | flags.MOVED_TO
    | flags.DELETE_SELF
    | flags.MOVE_SELF
    | flags.DONT_FOLLOW
    | flags.ONLYDIR
)
# A burst of writes (a file written in several calls, a folder unpacked)
# makes one change, not hundreds.
DEBOUNCE_MS = 100
# Each read says how far the watch has seen (``alive``): a Sync now waits for
# the read after it, so reads do not wait long.
POLL_MS = 50
# Folders the kernel would not watch (fs.inotify.max_user_watches reached):
# changes there go unseen, so the data counts as changed this often.
UNWATCHED_RESCAN_SECONDS = 10


class DataWatcher:
    def __init__(
        self,
        root: Callable[[], Path],
        on_change: Callable[[str], object],
        inotify=INotify,
        alive: Callable[[], object] = lambda: None,
    ):
        """``root``: where the data directory is now (it is repointed on a
        backup after each sync). ``alive(seen_until)``: called after every
        read while every change is seen, with the time the read began."""
        self.root = root
        self.on_change = on_change
        self.inotify = inotify
        self.alive = alive
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self._watch(self.root())
            except Exception:  # noqa: BLE001 - the watch restarts rather than dies
                log.exception("the data directory watch failed; starting it again")
                self.stop.wait(1)

    def _watch(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        with self.inotify() as inotify:
            folders, complete = _watch_tree(inotify, root)
            self.on_change(DataChange.Source.RESCAN)
            rescanned = time.monotonic()
            while not self.stop.is_set():
                began = time.time()
                events = inotify.read(timeout=POLL_MS, read_delay=DEBOUNCE_MS)
                if self.root() != root:
                    return
                if not complete and time.monotonic() - rescanned >= UNWATCHED_RESCAN_SECONDS:
                    self.on_change(DataChange.Source.RESCAN)
                    rescanned = time.monotonic()
                if any(event.mask & flags.Q_OVERFLOW for event in events):
                    log.warning("the data directory watch overflowed: the next sync lists all")
                    return
                if events:
                    complete = self._follow_new_folders(inotify, folders, events) and complete
                    self.on_change(DataChange.Source.FILES)
                if complete:
                    # Every change the kernel queued before the read began is
                    # numbered now; a read that found none looked until its
                    # timeout ran out.
                    self.alive(began if events else began + POLL_MS / 1000)

    @staticmethod
    def _follow_new_folders(inotify, folders: dict[int, Path], events) -> bool:
        """Watch folders created or moved in; False if one could not be."""
        complete = True
        for event in events:
            if event.mask & flags.ISDIR and event.mask & (flags.CREATE | flags.MOVED_TO):
                parent = folders.get(event.wd)
                if parent is not None:
                    added, all_watched = _watch_tree(inotify, parent / event.name)
                    folders.update(added)
                    complete = complete and all_watched
        return complete


def _watch_tree(inotify: INotify, top: Path) -> tuple[dict[int, Path], bool]:
    """Watch ``top`` and every folder under it: (watch descriptor -> folder,
    whether every folder is watched)."""
    folders, complete = {}, True
    for folder, dirs, _ in os.walk(top, followlinks=False):
        try:
            folders[inotify.add_watch(folder, MASK)] = Path(folder)
        except OSError as e:
            dirs.clear()
            if e.errno not in (errno.ENOENT, errno.ENOTDIR):  # not merely gone meanwhile
                if complete:
                    log.warning(
                        "cannot watch %s (%s): the data counts as changed every %d s",
                        folder,
                        e.strerror,
                        UNWATCHED_RESCAN_SECONDS,
                    )
                complete = False
    return folders, complete


def start(on_change: Callable[[str], object], root: Callable[[], Path], alive) -> DataWatcher:
    watcher = DataWatcher(root, on_change, alive=alive)
    threading.Thread(target=watcher.run, name="data-watcher", daemon=True).start()
    return watcher
