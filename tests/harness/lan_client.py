"""What a client on the LAN sees of a shared address: a TCP responder on each
site's host that answers with the host's name, and a client host that
connects to the shared address every 20 ms and writes down who answered.

    python -m tests.harness.lan_client respond NAME PORT
    python -m tests.harness.lan_client probe ADDRESS PORT SECONDS

(each run inside a host's namespace by the classes below). The probe stops by
itself after SECONDS; every line it prints is ``MONOTONIC_TIME NAME``, or
``MONOTONIC_TIME -`` for a failed attempt. CLOCK_MONOTONIC is the same in
every network namespace, so the times compare with the test's own."""

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from failover_site.launch import BASE_DIR
from tests.fixtures.waiting import wait_for

PORT = 7000
EVERY = 0.02
# A client cut off from every holder waits at most this long per attempt.
CONNECT_TIMEOUT = 0.05


def _respond(name: str, port: int) -> None:
    with socket.create_server(("0.0.0.0", port), reuse_port=True) as server:
        while True:
            connection, _ = server.accept()
            with connection:
                connection.sendall(name.encode())


def _probe(address: str, port: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    tick = time.monotonic()
    while tick < end:
        who = "-"
        try:
            with socket.create_connection((address, port), timeout=CONNECT_TIMEOUT) as sock:
                who = sock.recv(64).decode() or "-"
        except OSError:
            pass
        print(f"{tick:.4f} {who}", flush=True)
        tick = max(tick + EVERY, time.monotonic())
        time.sleep(max(0.0, tick - time.monotonic()))


def _in_namespace(netns: str, *args: str, stdout=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen(
        ["ip", "netns", "exec", netns, sys.executable, "-m", "tests.harness.lan_client", *args],
        cwd=BASE_DIR,
        stdout=stdout,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


class Responder:
    """The service behind the shared address on one site's host."""

    def __init__(self, lan, name: str, port: int = PORT):
        self.lan, self.name, self.port = lan, name, port
        self.process: subprocess.Popen | None = None

    def start(self) -> "Responder":
        self.process = _in_namespace(
            self.lan.hosts[self.name][0], "respond", self.name, str(self.port)
        )
        own = self.lan.hosts[self.name][1]
        wait_for(lambda: _answers(own, self.port), 20, 0.05, f"the responder on {self.name}")
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass(frozen=True)
class Sample:
    time: float
    who: str  # a host name, or "-" when the attempt failed


class Prober:
    """The client host connecting to ``address`` every 20 ms."""

    def __init__(self, lan, address: str, log: Path, seconds: float = 600, port: int = PORT):
        self.log = log
        self.file = open(log, "w")  # noqa: SIM115 - open for the prober's whole life
        netns = lan.hosts["client"][0]
        self.process = _in_namespace(
            netns, "probe", address, str(port), str(seconds), stdout=self.file
        )

    def samples(self) -> list[Sample]:
        samples = []
        for line in self.log.read_text().splitlines():
            fields = line.split()
            if len(fields) == 2:
                samples.append(Sample(float(fields[0]), fields[1]))
        return samples

    def wait_answered_by(self, name: str, after: float = 0, timeout: float = 20) -> float:
        """The time of the first answer from ``name`` after ``after``."""

        def found():
            return first_answer(self.samples(), name, after)

        return wait_for(found, timeout, 0.05, f"an answer from {name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.file.close()


def share_address(cluster, lan, address: str, *, timeout: int) -> None:
    """Pair the cluster's first two sites (the first primary), both with
    ``address`` as their failover IP, the primary timeout ``timeout`` and the
    LAN's gateway as their test IP."""
    for site in cluster.sites[:2]:
        site.manage("failover", "shared-ip", "add", f"{address}/24", "--interface", "eth0")
        site.manage(
            "failover", "settings", "--primary-timeout", str(timeout), "--test-ip", lan.gateway
        )
    cluster.pair(cluster[0], cluster[1])


def first_answer(samples: list[Sample], name: str, after: float) -> float | None:
    return next((s.time for s in samples if s.time >= after and s.who == name), None)


def answered_by(samples: list[Sample], name: str, start: float, end: float = float("inf")):
    return [s.time for s in samples if start <= s.time <= end and s.who == name]


def longest_outage(samples: list[Sample], start: float, end: float) -> float:
    """The longest time between two answered attempts, among the attempts from
    ``start`` to ``end`` (and the last answer before ``start``)."""
    answered = [s.time for s in samples if s.who != "-" and s.time <= end]
    before = [t for t in answered if t < start]
    times = before[-1:] + [t for t in answered if t >= start]
    return max((b - a for a, b in zip(times, times[1:], strict=False)), default=0.0)


def _answers(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=1):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "respond":
        _respond(arguments[0], int(arguments[1]))
    else:
        _probe(arguments[0], int(arguments[1]), float(arguments[2]))
