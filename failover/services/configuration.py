"""Configuration changes made by an administrator (page, command line or API):
backup settings, shared IPs, the inter-site key, API tokens, notifications.

Each change is saved together with the status-history event that records it,
and a change that changes nothing records nothing.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from failover import dispatch
from failover.domain.event_kinds import EventKind
from failover.domain.validation import is_ip_address
from failover.errors import Refused
from failover.models import (
    ApiToken,
    BackupSettings,
    InterSiteKey,
    NotificationSettings,
    SharedIP,
    StatusEvent,
)
from failover.models.events import actor_name
from failover.netif.listing import host_addresses
from failover.netif.reconcile import reconcile, take_down


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
        EventKind.SETTINGS_CHANGED, "Backup settings changed. " + "; ".join(changes), actor=actor
    )
    if form.cleaned_data["continuous_sync"] and not before.continuous_sync:
        # What changed while it was off reaches the backup now (the backup
        # catches up by itself at its next health check).
        dispatch.enqueue_on_commit("announce_changes")
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
        EventKind.SHARED_IP_CHANGED,
        f"Failover IP {shared_ip.cidr} on {interface} added.",
        actor=actor,
    )
    reconcile()
    return shared_ip


@transaction.atomic
def remove_shared_ip(address: str, actor) -> None:
    ip = SharedIP.objects.filter(address=address).first() if is_ip_address(address) else None
    if ip is None:
        raise SharedIPError(f"{address} is not in the list of shared IPs.")
    problems = take_down(ip) if ip.state == SharedIP.State.UP else []
    if problems:
        raise SharedIPError(f"{address} could not be taken down first: {problems[0]}")
    ip.delete()
    StatusEvent.record(EventKind.SHARED_IP_CHANGED, f"Shared IP {address} removed.", actor=actor)


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
        StatusEvent.record(EventKind.SHARED_IP_CHANGED, "; ".join(changes) + ".", actor=actor)
        reconcile()
    return changes


@transaction.atomic
def set_inter_site_key(key: str, actor) -> None:
    stored = InterSiteKey.objects.select_for_update().get(pk=InterSiteKey.load().pk)
    if stored.key == key:
        return
    stored.key, stored.updated_at, stored.updated_by = key, timezone.now(), actor_name(actor)
    stored.save()
    StatusEvent.record(EventKind.KEY_CHANGED, "Inter-site key changed.", actor=actor)


def issue_api_token(user, name: str) -> str:
    """A new token for ``user``; its plain value is returned this once."""
    token, plain = ApiToken.issue(user, name)
    StatusEvent.record(
        EventKind.API_TOKEN_CREATED, f"API token {token.name!r} created.", actor=user
    )
    return plain


def delete_api_token(user, token_id: int) -> bool:
    """Delete one of ``user``'s own tokens; False if there is no such token."""
    deleted, _ = ApiToken.objects.filter(pk=token_id, user=user).delete()
    if deleted:
        StatusEvent.record(
            EventKind.API_TOKEN_DELETED, f"API token #{token_id} deleted.", actor=user
        )
    return bool(deleted)


@transaction.atomic
def save_notification_settings(form, actor) -> tuple[list[str], str]:
    """Save a valid NotificationSettingsForm; returns the changed fields and, the
    first time a webhook URL is saved, its new secret (to be shown once)."""
    if not form.has_changed():
        return [], ""
    config = form.save()
    secret = ""
    if config.webhook_url and not config.webhook_secret:
        secret = _new_webhook_secret(config)
    StatusEvent.record(
        EventKind.SETTINGS_CHANGED,
        f"Notification settings changed: {', '.join(form.changed_data)}.",
        actor=actor,
    )
    return form.changed_data, secret


@transaction.atomic
def replace_webhook_secret(actor) -> str:
    secret = _new_webhook_secret(NotificationSettings.load())
    StatusEvent.record(EventKind.SETTINGS_CHANGED, "Webhook secret replaced.", actor=actor)
    return secret


def _new_webhook_secret(config: NotificationSettings) -> str:
    config.webhook_secret = NotificationSettings.new_secret()
    config.save(update_fields=["webhook_secret"])
    return config.webhook_secret
