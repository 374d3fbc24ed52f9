"""Validation of the addresses an administrator types in.

Plain functions raising ``ValueError`` with a message fit to show next to a
form field, on the command line or in a JSON error.
"""

import ipaddress
import re

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")

MIN_PORT, MAX_PORT = 1, 65535


def is_ip_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def validate_host(value: str) -> str:
    """Return the host if it is an IPv4/IPv6 address or an RFC 1123 host name."""
    host = (value or "").strip()
    if not host:
        raise ValueError("Enter a host name or IP address.")
    if is_ip_address(host):
        return host
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{host!r} is neither a valid host name (RFC 1123) nor an IP address.")
    if labels[-1].isdigit():
        # "10.0.0.300" looks like an address; refusing it as a name avoids a
        # typo being resolved through DNS.
        raise ValueError(f"{host!r} is not a valid IP address.")
    return host


def validate_port(value) -> int:
    try:
        port = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"Port must be a whole number from {MIN_PORT} to {MAX_PORT}.") from None
    if not MIN_PORT <= port <= MAX_PORT:
        raise ValueError(f"Port must be from {MIN_PORT} to {MAX_PORT}, not {port}.")
    return port


def parse_test_address(value: str) -> tuple[str, int | None]:
    """Parse a connectivity test address: an IP alone (ping) or ``host:port`` (TCP).

    IPv6 with a port is written ``[2001:db8::1]:443``.
    """
    text = (value or "").strip()
    if not text:
        raise ValueError("Enter an IP address or host:port.")
    if is_ip_address(text):
        return text, None
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
        if not sep or not is_ip_address(host) or ":" not in host:
            raise ValueError(f"{text!r}: write an IPv6 address with a port as [address]:port.")
    else:
        host, sep, port = text.rpartition(":")
        if not sep and re.fullmatch(r"[\d.]+", text):
            raise ValueError(f"{text!r} is not a valid IP address.")
        if not sep:
            raise ValueError(
                f"{text!r} is not an IP address; a host name needs a port (host:port)."
            )
        validate_host(host)
    try:
        return host, validate_port(port)
    except ValueError as e:
        raise ValueError(f"{text!r}: {e}") from None


def normalise_test_address(value: str) -> str:
    host, port = parse_test_address(value)
    if port is None:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


_INTERFACE = re.compile(r"^[A-Za-z0-9_.:@-]{1,15}$")


def validate_interface(value: str) -> str:
    name = (value or "").strip()
    if not _INTERFACE.match(name) or name in (".", ".."):
        raise ValueError(
            f"{value!r} is not a network interface name (1 to 15 letters, digits, '_.:@-')."
        )
    return name


def parse_interface_address(value: str) -> tuple[str, int]:
    """Parse ``ADDRESS/PREFIX`` (prefix defaults to a single host)."""
    text = (value or "").strip()
    address, sep, prefix = text.partition("/")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise ValueError(f"{address!r} is not an IPv4 or IPv6 address.") from None
    if not sep:
        return str(ip), ip.max_prefixlen
    if not (prefix.isascii() and prefix.isdigit()) or not 0 <= int(prefix) <= ip.max_prefixlen:
        raise ValueError(f"Prefix must be a number from 0 to {ip.max_prefixlen}.")
    return str(ip), int(prefix)


MAX_ROW_ID = 2**63 - 1


def parse_row_id(value) -> int:
    """A row id from a query string (a paging cursor): ASCII digits within the
    database's range. "²".isdigit() is true, but int("²") fails."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ROW_ID:
        raise ValueError(f"{text[:20]!r} is not a row id (a whole number).")
    return int(text)
