"""Network connectivity tests: can this site reach anything at all?

An address alone gets one ICMP echo (icmplib, no external ``ping``): over a
raw socket when this process may open one (root or CAP_NET_RAW), else over
the kernel's unprivileged ping socket (when ``net.ipv4.ping_group_range``
lets this user's group use it). When neither is possible, a TCP connect to a
common port stands in: an accepted connection, or a refused one (the host's
TCP reset), proves the host answered. ``host:port`` gets a TCP connect.
"""

import functools
import socket
from concurrent.futures import ThreadPoolExecutor

import icmplib

from failover.domain.validation import parse_test_address

TIMEOUT = 1.0
# Ports most hosts either serve or refuse; tried in turn within TIMEOUT.
FALLBACK_PORTS = (443, 80, 22)


@functools.cache
def icmp_mode() -> bool | None:
    """True: raw ICMP sockets; False: unprivileged ones; None: no ICMP."""
    for privileged in (True, False):
        try:
            icmplib.ICMPv4Socket(privileged=privileged).close()
            return privileged
        except icmplib.SocketPermissionError:
            continue
    return None


def _tcp_answers(host: str, port: int, timeout: float, refused_counts: bool) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except ConnectionRefusedError:
        return refused_counts
    except OSError:
        return False


def _icmp_answers(host: str, privileged: bool) -> bool:
    try:
        return icmplib.ping(host, count=1, timeout=TIMEOUT, privileged=privileged).is_alive
    except icmplib.ICMPLibError:
        return False


def probe(address: str) -> bool:
    host, port = parse_test_address(address)
    if port is not None:
        return _tcp_answers(host, port, TIMEOUT, refused_counts=False)
    privileged = icmp_mode()
    if privileged is not None:
        return _icmp_answers(host, privileged)
    each = TIMEOUT / len(FALLBACK_PORTS)
    return any(_tcp_answers(host, p, each, refused_counts=True) for p in FALLBACK_PORTS)


def probe_all(addresses) -> tuple[bool, ...]:
    """All at once, so the answer takes one timeout at most."""
    addresses = list(addresses)
    if not addresses:
        return ()
    with ThreadPoolExecutor(len(addresses)) as pool:
        return tuple(pool.map(probe, addresses))
