"""What the sync benchmarks share: an rsync daemon to compare with, and a
process group's peak memory."""

import os
import re
import subprocess
import threading
import time
from pathlib import Path

from bench.common import answers
from tests.harness.cluster import free_port


class Rsync:
    """An rsync daemon on loopback serving ``root`` as module ``data``."""

    def __init__(self, root: Path, work: Path):
        self.port = free_port()
        config = work / "rsyncd.conf"
        config.write_text(f"use chroot = no\n[data]\npath = {root}\nread only = yes\n")
        self.process = subprocess.Popen(
            ["rsync", "--daemon", "--no-detach", f"--port={self.port}", f"--config={config}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not answers(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("rsync daemon did not start")
            time.sleep(0.05)

    def pull(self, source: str, destination: Path, *options: str) -> tuple[float, int]:
        """Seconds and bytes received for ``rsync -a`` of ``source`` into ``destination``."""
        destination.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        done = subprocess.run(
            [
                "rsync",
                "-a",
                "--stats",
                *options,
                f"rsync://127.0.0.1:{self.port}/data/{source}",
                f"{destination}/",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        elapsed = time.monotonic() - started
        received = re.search(r"Total bytes received: ([\d,]+)", done.stdout)
        return elapsed, int(received.group(1).replace(",", "")) if received else 0

    def stop(self):
        self.process.terminate()
        self.process.wait()


def process_group_rss(group: int) -> int:
    """Resident memory (bytes) of every process in a process group."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != group:
                continue
            status = Path(f"/proc/{pid}/status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total = max(total, int(match.group(1)) * 1024 if match else 0)
    return total


def peak_memory_during(action, group: int) -> int:
    """The largest single process of ``group`` while ``action`` runs."""
    peak, stop = 0, threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, process_group_rss(group))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        action()
    finally:
        stop.set()
        sampler.join()
    return peak
