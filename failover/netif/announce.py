"""Telling the LAN that this host now holds an address, so that neighbours and
switches send to it at once instead of when their caches expire: a gratuitous
ARP for IPv4, an unsolicited neighbour advertisement for IPv6.

Both are sent from this process with a raw socket when it may (root or
CAP_NET_RAW): one packet, no process to start, no delay. Otherwise a
gratuitous ARP falls back to the system `arping` (which a container can be
given the capability for), started and not waited for; IPv6 has no such
fallback (no common Debian tool sends an unsolicited advertisement), and its
neighbours learn at their next solicitation. Never waits: an announcement
asks for no answer, and whoever announces is on the way of a failover."""

import functools
import ipaddress
import logging
import shutil
import socket
import struct
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

ETH_P_ARP = 0x0806
ALL_NODES = "ff02::1"
NEIGHBOUR_ADVERTISEMENT = 136
OVERRIDE_FLAG = 0x20000000
TARGET_LINK_LAYER_ADDRESS = 2


def announce(interface: str, address: str) -> None:
    """Best effort: a host without arping, or without the right to send raw
    packets, still moves its addresses; neighbours then learn on their next
    ARP or neighbour solicitation."""
    try:
        if ipaddress.ip_address(address).version == 4:
            _gratuitous_arp(interface, address)
        else:
            _neighbour_advertisement(interface, address)
    except OSError as e:
        log.warning("could not announce %s on %s: %s", address, interface, e)


def _gratuitous_arp(interface: str, address: str) -> None:
    try:
        with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as sock:
            sock.bind((interface, ETH_P_ARP))
            sock.send(gratuitous_arp(address, _mac_of(interface)))
    except PermissionError:
        _start_arping(interface, address)


def _start_arping(interface: str, address: str) -> None:
    arping = shutil.which("arping")
    if arping is None:
        return
    # Started, not waited for: arping waits for a reply a gratuitous ARP never
    # gets. Python reaps the finished process at a later Popen.
    subprocess.Popen(
        arping_command(arping, _arping_flavour(arping), interface, address),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@functools.cache
def _arping_flavour(arping: str) -> str:
    """Debian ships two arpings with different options: iputils' and Thomas Habets'."""
    done = subprocess.run([arping, "--help"], capture_output=True, text=True, timeout=5)
    return "habets" if "Habets" in done.stdout + done.stderr else "iputils"


def arping_command(arping: str, flavour: str, interface: str, address: str) -> list[str]:
    """One unsolicited ARP, and exit without waiting for an answer (-w 0 for
    Habets'; iputils' arping takes whole seconds only)."""
    if flavour == "habets":
        return [arping, "-U", "-c", "1", "-w", "0", "-i", interface, "-S", address, address]
    return [arping, "-U", "-c", "1", "-w", "1", "-I", interface, address]


def gratuitous_arp(address: str, mac: str) -> bytes:
    """A broadcast ARP request from ``address`` at ``mac`` for itself: every
    neighbour that knows the address takes the new MAC address (RFC 5227 3)."""
    own, ip = bytes.fromhex(mac.replace(":", "")), ipaddress.IPv4Address(address).packed
    ethernet = b"\xff" * 6 + own + struct.pack("!H", ETH_P_ARP)
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + own + ip + b"\x00" * 6 + ip
    return ethernet + arp


def neighbour_advertisement(address: str, mac: str) -> bytes:
    """An unsolicited ICMPv6 neighbour advertisement for ``address`` at ``mac``
    (RFC 4861 4.4), with the override flag so caches replace the old entry.
    The checksum is left 0: the kernel fills it in on raw ICMPv6 sockets."""
    header = struct.pack("!BBHI", NEIGHBOUR_ADVERTISEMENT, 0, 0, OVERRIDE_FLAG)
    target = ipaddress.IPv6Address(address).packed
    option = struct.pack("!BB", TARGET_LINK_LAYER_ADDRESS, 1) + bytes.fromhex(mac.replace(":", ""))
    return header + target + option


def _neighbour_advertisement(interface: str, address: str) -> None:
    mac = _mac_of(interface)
    index = socket.if_nametoindex(interface)
    with socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6) as sock:
        # Neighbour discovery packets must arrive with hop limit 255 (RFC 4861 7.1.2).
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
        sock.bind((address, 0, 0, index))
        sock.sendto(neighbour_advertisement(address, mac), (ALL_NODES, 0, 0, index))


def _mac_of(interface: str) -> str:
    return Path(f"/sys/class/net/{interface}/address").read_text().strip()
