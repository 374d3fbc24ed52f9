"""Bringing failover IPs up and down: `linux` (iproute2, then a gratuitous ARP
so switches learn the move at once) or `none` (state recorded only)."""

import functools
import ipaddress
import shutil
import subprocess

from django.conf import settings

TIMEOUT = 5


class AddressError(Exception):
    """Why an address could not be brought up or down, for the page."""


def _run(command: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise AddressError(f"{' '.join(command)}: {e}") from None


class NoneBackend:
    name = "none"

    def up(self, ip) -> None:
        pass

    def down(self, ip) -> None:
        pass


class LinuxBackend:
    name = "linux"

    def _ip(self) -> str:
        ip = shutil.which("ip")
        if ip is None:
            raise AddressError("the 'ip' command (iproute2) is not installed")
        return ip

    def up(self, ip) -> None:
        done = _run([self._ip(), "addr", "add", ip.cidr, "dev", ip.interface])
        if done.returncode != 0 and "File exists" not in done.stderr:
            raise AddressError(_explain(done.stderr, ip))
        self._announce(ip)

    def down(self, ip) -> None:
        done = _run([self._ip(), "addr", "del", ip.cidr, "dev", ip.interface])
        if done.returncode != 0 and "Cannot assign requested address" not in done.stderr:
            raise AddressError(_explain(done.stderr, ip))

    @staticmethod
    def _announce(ip) -> None:
        """Gratuitous ARP (IPv4): neighbours update their caches now rather
        than when their entries expire. Best effort: IPv6 uses its own
        neighbour discovery, and a host without arping still works."""
        arping = shutil.which("arping")
        if arping is None or ipaddress.ip_address(ip.address).version != 4:
            return
        _run(_arping_command(arping, ip.interface, ip.address))


@functools.cache
def _arping_flavour(arping: str) -> str:
    """Debian ships two arpings with different options: iputils' and Thomas Habets'."""
    done = _run([arping, "--help"])
    return "habets" if "Habets" in done.stdout + done.stderr else "iputils"


def _arping_command(arping: str, interface: str, address: str) -> list[str]:
    if _arping_flavour(arping) == "habets":
        return [arping, "-U", "-c", "1", "-i", interface, "-S", address, address]
    return [arping, "-U", "-c", "1", "-I", interface, address]


def _explain(stderr: str, ip) -> str:
    text = stderr.strip() or "failed"
    if "Operation not permitted" in text:
        return f"no permission to change addresses on {ip.interface} (needs root or NET_ADMIN)"
    if "Cannot find device" in text:
        return f"no such interface: {ip.interface}"
    return text


def backend():
    return LinuxBackend() if settings.FAILOVER_SHARED_IP_BACKEND == "linux" else NoneBackend()
