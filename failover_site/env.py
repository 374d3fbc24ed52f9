"""Typed readers for settings that come from environment variables.

Each helper refuses a malformed value with a message naming the variable, so a
typo in a deployment fails at start-up instead of silently using a default.
Every one of them reads ``NAME`` or, for secrets mounted as files, the file
named by ``NAME_FILE``.
"""

import ipaddress
import os
from pathlib import Path


class SettingError(ValueError):
    pass


def envraw(name: str, environ=os.environ) -> str | None:
    """The value of ``NAME``, or the contents of the file ``NAME_FILE`` names;
    None when neither is set. Set but empty (as in an env file's "NAME=")
    counts as unset, so the default applies."""
    file_path = environ.get(f"{name}_FILE")
    if file_path:
        try:
            value = Path(file_path).read_text().strip()
        except OSError as e:
            raise SettingError(f"{name}_FILE: cannot read {file_path}: {e.strerror}") from e
    else:
        value = environ.get(name, "").strip()
    return value or None


def envstr(name: str, default: str = "") -> str:
    raw = envraw(name)
    return default if raw is None else raw


def envbool(name: str, default: bool) -> bool:
    raw = envraw(name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingError(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), not {raw!r}")


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = envraw(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name} must be an integer, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise SettingError(f"{name} must be at least {minimum}, not {value}")
    return value


def envfloat(name: str, default: float, *, minimum: float, maximum: float) -> float:
    raw = envraw(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(f"{name} must be a number, not {raw!r}") from None
    # NaN fails every comparison, so this refuses it too.
    if not minimum <= value <= maximum:
        raise SettingError(f"{name} must be between {minimum} and {maximum}, not {value}")
    return value


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = envstr(name, default)
    if value not in choices:
        raise SettingError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def envnetworks(name: str, default: str = "") -> list:
    """A comma-separated list of IP addresses or networks (CIDR)."""
    networks = []
    for item in envlist(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingError(f"{name}: {item!r} is not an IP address or network") from None
    return networks
