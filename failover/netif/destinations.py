"""Where the console may send things on its own initiative (webhooks): not to
this host, nor into the internal network, unless the operator allows it. So
that the console is no probe of the networks it sits in."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


def _internal(address) -> bool:
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or (address.version == 6 and address.ipv4_mapped is not None)
    )


def _allowed(address) -> bool:
    return any(address in network for network in settings.FAILOVER_WEBHOOK_ALLOWED_NETWORKS)


def _resolve(host: str) -> list:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def refusal(url: str) -> str:
    """Why ``url`` may not be sent to ("" when it may): its host resolves to a
    loopback, link-local, private or unique-local address outside
    FAILOVER_WEBHOOK_ALLOWED_NETWORKS. A name that does not resolve (yet) is
    not refused: sending to it fails, and it is checked again then."""
    host = urlsplit(url).hostname or ""
    if not host:
        return "The URL names no host."
    try:
        addresses = _resolve(host)
    except (OSError, UnicodeError):
        return ""
    blocked = [a for a in addresses if _internal(a) and not _allowed(a)]
    if blocked:
        return (
            f"{host} resolves to {blocked[0]}, an internal address: allow it with "
            "FAILOVER_WEBHOOK_ALLOWED_NETWORKS if it is meant."
        )
    return ""
