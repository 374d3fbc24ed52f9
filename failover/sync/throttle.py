"""Holding a sync's average transfer rate to the bandwidth limit."""

import threading
import time


class Throttle:
    """Shared by every download of one sync: each chunk waits until the total
    so far is within the limit counted from the start, so the limit holds on
    average over the whole sync whatever the number of parallel fetches."""

    def __init__(self, bytes_per_second: float, clock=time.monotonic, sleep=time.sleep):
        self.rate = bytes_per_second
        self.clock = clock
        self.sleep = sleep
        self.started: float | None = None
        self.total = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        """Count from now rather than from the first byte."""
        with self._lock:
            self.started = self.clock()

    def consume(self, count: int) -> None:
        if not self.rate:
            return
        with self._lock:
            if self.started is None:
                self.started = self.clock()
            self.total += count
            due = self.started + self.total / self.rate
        delay = due - self.clock()
        if delay > 0:
            self.sleep(delay)
