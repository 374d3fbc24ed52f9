"""Configuration changes made by an administrator (page, command line or API).

Each change is saved together with the status-history event that records it,
and a change that changes nothing records nothing.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from failover.models import BackupSettings, InterSiteKey, SharedIP, StatusEvent
from failover.models.events import actor_name
from failover.netif.listing import host_addresses
from failover.netif.reconcile import reconcile, take_down
from failover.services import Refused


def _describe(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(value) or "none"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


@transaction.atomic
def save_backup_settings(form, actor) -> list[str]:
    """Save a valid BackupSettingsForm; returns the labels of changed fields."""
    before = BackupSettings.objects.select_for_update().get(pk=form.instance.pk)
    changes = []
    for name in form.Meta.fields:
        old, new = getattr(before, name), form.cleaned_data[name]
        if old != new:
            label = BackupSettings._meta.get_field(name).verbose_name
            changes.append(f"{label}: {_describe(old)} → {_describe(new)}")
    if not changes:
        return []
    form.save()
    StatusEvent.record(
        "settings_changed", "Backup settings changed. " + "; ".join(changes), actor=actor
    )
    return changes


class SharedIPError(Refused):
    status = 400


@transaction.atomic
def add_shared_ip(address: str, prefix: int, interface: str, actor) -> SharedIP:
    if SharedIP.objects.filter(address=address).exists():
        raise SharedIPError(f"{address} is already in the list.")
    shared_ip = SharedIP.objects.create(
        address=address, prefix=prefix, interface=interface, is_failover=True
    )
    StatusEvent.record(
        "shared_ip_changed", f"Failover IP {shared_ip.cidr} on {interface} added.", actor=actor
    )
    reconcile()
    return shared_ip


@transaction.atomic
def remove_shared_ip(address: str, actor) -> None:
    ip = SharedIP.objects.filter(address=address).first()
    if ip is None:
        raise SharedIPError(f"{address} is not in the list of shared IPs.")
    problems = take_down(ip) if ip.state == SharedIP.State.UP else []
    if problems:
        raise SharedIPError(f"{address} could not be taken down first: {problems[0]}")
    ip.delete()
    StatusEvent.record("shared_ip_changed", f"Shared IP {address} removed.", actor=actor)


def known_addresses() -> tuple[list[SharedIP], str]:
    """Every address the page offers: the configured ones, then this host's
    other addresses as unsaved rows. Also returns an error listing the host's."""
    configured = list(SharedIP.objects.all())
    seen = {ip.address for ip in configured}
    host, error = host_addresses()
    others = [
        SharedIP(address=a.address, prefix=a.prefix, interface=a.interface)
        for a in host
        if a.address not in seen
    ]
    return configured + others, error


@transaction.atomic
def set_failover_ips(checked: set[str], actor, *, only: set[str] | None = None) -> list[str]:
    """Make exactly the ``checked`` addresses failover IPs (among ``only``, when
    given). Returns the changes; raises SharedIPError for an unknown address."""
    rows = {ip.address: ip for ip in known_addresses()[0]}
    unknown = sorted((checked | (only or set())) - rows.keys())
    if unknown:
        raise SharedIPError(f"{', '.join(unknown)}: not an address of this host or the list.")
    changes = []
    for address in sorted(only if only is not None else rows.keys()):
        row, want = rows[address], address in checked
        if row.is_failover == want:
            continue
        row.is_failover = want
        row.save()
        changes.append(f"{row.cidr} {'is now' if want else 'is no longer'} a failover IP")
    if changes:
        StatusEvent.record("shared_ip_changed", "; ".join(changes) + ".", actor=actor)
        reconcile()
    return changes


@transaction.atomic
def set_inter_site_key(key: str, actor) -> None:
    stored = InterSiteKey.objects.select_for_update().get(pk=InterSiteKey.load().pk)
    if stored.key == key:
        return
    stored.key, stored.updated_at, stored.updated_by = key, timezone.now(), actor_name(actor)
    stored.save()
    StatusEvent.record("key_changed", "Inter-site key changed.", actor=actor)
