"""The JSON shapes this site speaks, in one place: its status (``failover
status --json`` and GET /api/v1/failover print the same object), the status
report its peer reads, events (API and webhook) and backup settings."""

import time

from django.conf import settings

from failover import __version__, availability
from failover.models import (
    BackupSettings,
    DivergedCopy,
    PeerStatus,
    RoleSwap,
    SharedIP,
    SiteState,
    StatusEvent,
    SyncRun,
    WitnessLink,
)
from failover.sync import changes


def _iso(value):
    return value.isoformat() if value else None


def event_json(event: StatusEvent) -> dict:
    return {
        "id": event.pk,
        "time": event.time.isoformat(),
        "kind": event.kind,
        "message": event.message,
        "actor": event.actor,
        "details": event.details,
    }


def backup_settings_json(backup: BackupSettings) -> dict:
    return {
        "backup_operations": backup.backup_operations_enabled,
        "primary_timeout": backup.primary_timeout,
        "sync_interval": backup.sync_interval,
        "bandwidth_limit": float(backup.bandwidth_limit),
        "auto_failover": backup.auto_failover_enabled,
        "continuous_sync": backup.continuous_sync,
        "keep_diverged": backup.keep_diverged,
        "test_ips": list(backup.test_ips),
    }


def peer_status(site: SiteState) -> dict | None:
    if not site.in_relationship:
        return None
    peer = PeerStatus.load()
    return {
        "host": site.peer_host,
        "port": site.peer_port,
        "hostname": peer.hostname or None,
        "role": peer.role or None,
        "epoch": peer.epoch,
        "reachable": peer.reachable,
        "last_check": _iso(peer.last_check_at),
        "last_success": _iso(peer.last_success_at),
        "last_error": peer.last_error or None,
    }


def sync_progress(run: SyncRun | None) -> dict | None:
    if run is None:
        return None
    return {
        "id": run.pk,
        "status": run.status,
        "trigger": run.trigger,
        "started": _iso(run.started_at),
        "finished": _iso(run.finished_at),
        "files_done": run.files_done,
        "files_total": run.files_total,
        "bytes_done": run.bytes_done,
        "bytes_total": run.bytes_total,
        "bytes_transferred": run.bytes_transferred,
        "files_fetched": run.files_fetched,
        "rate": run.rate,
        "error": run.error or None,
    }


def swap_progress(swap: RoleSwap | None) -> dict | None:
    if swap is None:
        return None
    return {
        "id": str(swap.id),
        "role": swap.target_role,
        "sync_first": swap.sync_first,
        "force": swap.force,
        "actor": swap.actor,
        "status": swap.status,
        "step": swap.step or None,
        "message": swap.message or None,
        "started": _iso(swap.created_at),
        "finished": _iso(swap.finished_at),
    }


def shared_ip_json(ip: SharedIP) -> dict:
    return {
        "address": ip.address,
        "prefix": ip.prefix,
        "interface": ip.interface,
        "failover": ip.is_failover,
        "state": ip.state if ip.pk else None,
        "error": ip.last_error or None,
    }


def witness_status() -> dict | None:
    """This site's witness and its last check, or None without one."""
    link = WitnessLink.load()
    if not link.configured:
        return None
    return {
        "host": link.host,
        "port": link.port,
        "reachable": link.reachable,
        "last_check": _iso(link.last_check_at),
    }


def site_status() -> dict:
    site = SiteState.load()
    last_sync = SyncRun.objects.last_finished()
    return {
        "hostname": settings.FAILOVER_SITE_NAME,
        "site_id": str(site.site_id),
        "role": site.role,
        "epoch": site.epoch,
        "confirming_primary": site.confirming,
        "stepped_down": site.stepped_down,
        "relationship_id": str(site.relationship_id) if site.relationship_id else None,
        "peer": peer_status(site),
        "witness": witness_status(),
        "enabled_shared_ips": [ip.cidr for ip in SharedIP.objects.filter(is_failover=True)],
        "shared_ips": [shared_ip_json(ip) for ip in SharedIP.objects.all()],
        "last_data_sync_time": _iso(last_sync.finished_at) if last_sync else None,
        "last_data_sync_status": last_sync.status if last_sync else None,
        "running_sync": sync_progress(SyncRun.objects.active().first()),
        "continuous_sync": BackupSettings.load().continuous_sync,
        "sync_lag_seconds": changes.backup_lag_seconds(site),
        "diverged_copies": DivergedCopy.objects.count(),
        "swap_in_progress": site.swap_note,
        "swap": swap_progress(RoleSwap.objects.first()),
        "availability": availability.last_day_json(),
        "version": __version__,
    }


def status_report(site: SiteState | None = None) -> dict:
    """What this site tells its peer about itself (the peer ``status`` endpoint)."""
    site = site or SiteState.load()
    return {
        "site_id": str(site.site_id),
        "hostname": settings.FAILOVER_SITE_NAME,
        "role": site.role,
        "epoch": site.epoch,
        "relationship_id": str(site.relationship_id) if site.relationship_id else None,
        "version": __version__,
        "server_time": time.time(),
        "swap_in_progress": site.swap_note,
        "running_sync": sync_progress(SyncRun.objects.active().first()),
        "last_sync": sync_progress(SyncRun.objects.last_finished()),
        "sync_lag_seconds": changes.lag_seconds(site),
        "data_version": changes.current_version(site) if site.is_primary else None,
    }


def diverged_json(copy: DivergedCopy) -> dict:
    return {
        "id": copy.pk,
        "created": copy.created.isoformat(),
        "epoch": copy.epoch,
        "reason": copy.reason,
        "files_added": len(copy.files_added),
        "files_changed": len(copy.files_changed),
        "files_deleted": len(copy.files_deleted),
        "bytes": copy.bytes,
        "rows": len(copy.rows),
    }
