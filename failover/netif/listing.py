"""Read this host's IP addresses (``ip -j addr``)."""

import ipaddress
import json
import shutil
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class HostAddress:
    address: str
    prefix: int
    interface: str

    @property
    def cidr(self) -> str:
        return f"{self.address}/{self.prefix}"


def parse_ip_json(output: str) -> list[HostAddress]:
    """Global-scope addresses from ``ip -j addr`` output; loopback and link-local
    addresses cannot float between hosts, so they are left out."""
    addresses = []
    for link in json.loads(output or "[]"):
        for info in link.get("addr_info", []):
            if info.get("scope") != "global" or "local" not in info:
                continue
            addresses.append(HostAddress(info["local"], int(info["prefixlen"]), link["ifname"]))
    return addresses


def addresses_in(output: str) -> set[str]:
    """Every address in ``ip -j addr`` output, whatever its scope, written the
    way ``ipaddress`` writes it (compressed IPv6)."""
    return {
        str(ipaddress.ip_address(info["local"]))
        for link in json.loads(output or "[]")
        for info in link.get("addr_info", [])
        if "local" in info
    }


def host_addresses() -> tuple[list[HostAddress], str]:
    """This host's addresses, and an error message when they cannot be read."""
    ip = shutil.which("ip")
    if ip is None:
        return [], "The 'ip' command (iproute2) is not installed; host addresses cannot be listed."
    try:
        done = subprocess.run(
            [ip, "-j", "addr", "show"], capture_output=True, text=True, timeout=5, check=True
        )
        return parse_ip_json(done.stdout), ""
    except (subprocess.SubprocessError, OSError, ValueError) as e:
        return [], f"Could not list host addresses: {e}"
