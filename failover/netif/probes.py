"""Network connectivity tests: can this site reach anything at all?"""

import shutil
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor

from failover.domain.validation import parse_test_address

TIMEOUT = 1.0


def probe(address: str) -> bool:
    """An address alone: one ICMP echo (the system `ping`); host:port: a TCP connect."""
    host, port = parse_test_address(address)
    if port is not None:
        try:
            with socket.create_connection((host, port), timeout=TIMEOUT):
                return True
        except OSError:
            return False
    ping = shutil.which("ping")
    if ping is None:
        return False
    family = "-6" if ":" in host else "-4"
    try:
        done = subprocess.run(
            [ping, family, "-c", "1", "-W", str(int(TIMEOUT)), host],
            capture_output=True,
            timeout=TIMEOUT + 1,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def probe_all(addresses) -> tuple[bool, ...]:
    """All at once, so the answer takes one timeout at most."""
    addresses = list(addresses)
    if not addresses:
        return ()
    with ThreadPoolExecutor(len(addresses)) as pool:
        return tuple(pool.map(probe, addresses))
