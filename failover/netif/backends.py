"""Bringing failover IPs up and down: `linux` (iproute2) or `none` (state
recorded only).

Whether an address is already there is asked of the kernel (the interface's
address list), never read from an error message: iproute2's wording changes
between versions ("File exists" became "Address already assigned")."""

import ipaddress
import shutil
import subprocess

from django.conf import settings

from failover.netif.announce import announce
from failover.netif.listing import addresses_in

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

    def up(self, ip) -> bool:
        return False

    def down(self, ip) -> bool:
        return False

    def holds(self, ip) -> bool:
        return False

    def announce(self, ip) -> None:
        pass


class LinuxBackend:
    """``up`` and ``down`` are idempotent and say whether they changed anything."""

    name = "linux"

    def _ip(self) -> str:
        ip = shutil.which("ip")
        if ip is None:
            raise AddressError("the 'ip' command (iproute2) is not installed")
        return ip

    def holds(self, ip) -> bool:
        """The kernel has ``ip`` on its interface (any prefix)."""
        done = _run([self._ip(), "-j", "addr", "show", "dev", ip.interface])
        if done.returncode != 0:
            raise AddressError(_explain(done.stderr, ip))
        try:
            return _same_address(ip.address) in addresses_in(done.stdout)
        except ValueError as e:
            raise AddressError(f"could not read the addresses of {ip.interface}: {e}") from None

    def up(self, ip) -> bool:
        if self.holds(ip):
            return False
        # A floating IPv6 address is in use elsewhere by design: duplicate
        # address detection would hold it tentative (unusable) for a second.
        nodad = ["nodad"] if ipaddress.ip_address(ip.address).version == 6 else []
        self._change("add", ip, nodad, present_after=True)
        return True

    def down(self, ip) -> bool:
        if not self.holds(ip):
            return False
        self._change("del", ip, [], present_after=False)
        return True

    def _change(self, verb: str, ip, options: list[str], *, present_after: bool) -> None:
        done = _run([self._ip(), "addr", verb, ip.cidr, "dev", ip.interface, *options])
        # Another process (the web server or the worker) may have made the same
        # change in between: the kernel's list, not the message, says if it is done.
        if done.returncode != 0 and self.holds(ip) != present_after:
            raise AddressError(_explain(done.stderr, ip))

    def announce(self, ip) -> None:
        announce(ip.interface, ip.address)


def _same_address(address: str) -> str:
    """The kernel lists IPv6 addresses compressed; compare like with like."""
    return str(ipaddress.ip_address(address))


def _explain(stderr: str, ip) -> str:
    text = stderr.strip() or "failed"
    if "Operation not permitted" in text:
        return f"no permission to change addresses on {ip.interface} (needs root or NET_ADMIN)"
    if "Cannot find device" in text or "does not exist" in text:
        return f"no such interface: {ip.interface}"
    return text


def backend():
    return LinuxBackend() if settings.FAILOVER_SHARED_IP_BACKEND == "linux" else NoneBackend()
