"""The Management > Failover page: the full page and its live status partial."""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRefresh

from failover.access import CHANGE_REFUSED, can_manage, staff_required
from failover.domain.preconditions import blocked_actions
from failover.forms import BackupSettingsForm, BecomeForm, PairingForm, SharedIPForm
from failover.models import (
    BackupSettings,
    DivergedCopy,
    PeerStatus,
    RoleSwap,
    SiteState,
    SyncRun,
)
from failover.services import diverged
from failover.services.configuration import known_addresses
from failover.shapes import sync_progress
from failover.sync import changes
from failover.views.history import filter_context, page_of_events, parse_id, requested_filter
from failover.views.timeline import timeline_context
from failover.views.witness_page import live_witness, witness_context

LIVE_TARGET = "failover-live"
# With continuous sync off the data version stands still: look again this often.
LEFT_BEHIND_SECONDS = 10


def _syncs(site: SiteState, peer: PeerStatus | None) -> tuple[dict | None, dict | None, bool]:
    """The running and the last sync as the page shows them, and whether they
    are the backup's (seen from the primary through its status report)."""
    if site.is_primary and peer is not None:
        return peer.report.get("running_sync"), peer.report.get("last_sync"), True
    return (
        sync_progress(SyncRun.objects.active().first()),
        sync_progress(SyncRun.objects.last_finished()),
        False,
    )


def live_context(site: SiteState, request) -> dict:
    peer = PeerStatus.load() if site.in_relationship else None
    backup_settings = BackupSettings.load()
    running_sync, last_sync, syncs_on_peer = _syncs(site, peer)
    return {
        "site": site,
        "peer": peer,
        "conflict": bool(peer and peer.in_conflict_with(site)),
        "running_sync": running_sync,
        "last_sync": last_sync,
        "syncs_on_peer": syncs_on_peer,
        "actions": _blocked_actions(site, request, peer, running_sync),
        "swap": RoleSwap.objects.first(),
        "become_form": _become_form(site, peer),
        "insecure_peer_link": settings.FAILOVER_ALLOW_INSECURE_PEER,
        "no_test_ips": backup_settings.auto_failover_enabled and not backup_settings.test_ips,
        "poll_seconds": max(1, min(5, round(settings.FAILOVER_HEALTH_INTERVAL))),
        "continuous_sync": backup_settings.continuous_sync,
        "sync_lag": changes.backup_lag_seconds(site),
        "left_behind": _left_behind(site),
        **live_witness(),
    }


def _left_behind(site: SiteState) -> str:
    """What a swap without a sync first would leave here (primary only);
    listing the data directory costs, so once per data version."""
    if not site.is_primary:
        return ""
    key = f"failover:left-behind:{changes.current_version(site)}"
    return cache.get_or_set(key, diverged.left_behind_note, LEFT_BEHIND_SECONDS)


def _become_form(site: SiteState, peer: PeerStatus | None) -> BecomeForm:
    form = BecomeForm()
    if peer is None:
        return form
    name = f"{peer.hostname} ({site.peer_host})" if peer.hostname else site.peer_host
    return form.name_the_peer(peer=name, becoming="backup" if site.is_primary else "primary")


def _blocked_actions(site, request, peer, running_sync) -> dict[str, str]:
    """Why each action's button is disabled, for this user ("" when it is not).
    A continuous sync does not disable Sync now: it gives way to it."""
    blocking = running_sync is not None and running_sync.get("trigger") != "continuous"
    state = site.pair_state(peer_reachable=peer.reachable if peer else None, sync_running=blocking)
    reasons = blocked_actions(state)
    if not can_manage(request.user):
        return dict.fromkeys(reasons, CHANGE_REFUSED)
    return reasons


def render_page(request, *, status=200, **forms):
    site = SiteState.load()
    addresses, address_error = known_addresses()
    wanted, filter_error = requested_filter(request)
    events, more_before = page_of_events(wanted)
    context = {
        **filter_context(wanted, filter_error),
        **live_context(site, request),
        **timeline_context(request, wanted),
        "tab": "failover",
        "pairing_form": forms.get("pairing_form") or PairingForm(),
        "settings_form": forms.get("settings_form")
        or BackupSettingsForm(instance=BackupSettings.load()),
        "shared_ip_form": forms.get("shared_ip_form") or SharedIPForm(),
        "shared_ip_error": forms.get("shared_ip_error", ""),
        "addresses": addresses,
        "address_error": address_error,
        "events": events,
        "more_before": more_before,
        "newest_event_id": events[0].pk if events else 0,
        "shared_ip_backend": settings.FAILOVER_SHARED_IP_BACKEND,
        "diverged_copies": DivergedCopy.objects.all(),
        **witness_context(forms.get("witness_form")),
    }
    return render(request, "failover/page.html", context, status=status)


def _live_partial(request):
    site = SiteState.load()
    if request.GET.get("rendered_role", site.role) != site.role:
        # The page's layout depends on the role (setup form, read-only
        # backup view): a role change needs the whole page again.
        return HttpResponseClientRefresh()
    after = parse_id(request.GET.get("after"))
    wanted, filter_error = requested_filter(request)
    new_events, more_before = (
        page_of_events(wanted, after=after) if after is not None else ([], None)
    )
    context = {
        **live_context(site, request),
        **filter_context(wanted, filter_error),
        **timeline_context(request, wanted),
        "new_events": new_events,
        # Too many new rows to prepend: replace the first page instead.
        "replace_history": more_before is not None,
        "more_before": more_before,
        "newest_event_id": new_events[0].pk if new_events else after,
    }
    return render(request, "failover/_live_response.html", context)


@require_GET
@staff_required
def failover_page(request):
    if request.htmx and request.htmx.target == LIVE_TARGET:
        return _live_partial(request)
    return render_page(request)
