"""GET /metrics in Prometheus text format, computed from the database at each
scrape (so every process of the site reports the same figures)."""

import hmac
import ipaddress

from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from failover.access import client_address
from failover.domain.event_kinds import EventKind
from failover.domain.roles import Role
from failover.models import PeerStatus, SiteState, StatusEvent, SyncRun, WitnessLink
from failover.peer import refusals

NAN = float("nan")


def _age(moment) -> float:
    return (timezone.now() - moment).total_seconds() if moment else NAN


class SiteCollector:
    def collect(self):
        site = SiteState.load()
        peer = PeerStatus.load()
        role = GaugeMetricFamily("failover_role", "1 for this site's current role", labels=["role"])
        for name in Role:
            role.add_metric([name.value], 1.0 if site.role == name else 0.0)
        yield role
        yield GaugeMetricFamily("failover_epoch", "Fencing epoch of this site", value=site.epoch)
        yield GaugeMetricFamily(
            "failover_peer_reachable",
            "1 if the last peer check succeeded",
            value=1.0 if site.in_relationship and peer.reachable else 0.0,
        )
        yield GaugeMetricFamily(
            "failover_peer_last_success_age_seconds",
            "Seconds since the last successful peer check",
            value=_age(peer.last_success_at),
        )
        witness = WitnessLink.load()
        yield GaugeMetricFamily(
            "failover_witness_reachable",
            "1 if the last witness check succeeded (NaN without a witness)",
            value=(1.0 if witness.reachable else 0.0) if witness.configured else NAN,
        )
        yield GaugeMetricFamily(
            "failover_conflict",
            "1 while both sites claim the same role",
            value=1.0 if peer.in_conflict_with(site) else 0.0,
        )
        yield from self._syncs()
        yield from self._history()
        refused = CounterMetricFamily(
            "failover_refused_peer_requests", "Peer requests refused, by cause", labels=["cause"]
        )
        for cause, count in refusals.counts().items():
            refused.add_metric([cause], count)
        yield refused

    @staticmethod
    def _syncs():
        done = SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED)
        last = SyncRun.objects.last_succeeded()
        totals = done.aggregate(bytes=Sum("bytes_transferred"), files=Sum("files_fetched"))
        yield GaugeMetricFamily(
            "failover_sync_last_success_age_seconds",
            "Seconds since the last successful data sync",
            value=_age(last.finished_at if last else None),
        )
        yield GaugeMetricFamily(
            "failover_sync_last_duration_seconds",
            "Duration of the last successful data sync",
            value=last.duration if last else NAN,
        )
        yield CounterMetricFamily(
            "failover_sync_bytes", "Bytes transferred by data syncs", value=totals["bytes"] or 0
        )
        yield CounterMetricFamily(
            "failover_sync_files", "Files fetched by data syncs", value=totals["files"] or 0
        )
        runs = CounterMetricFamily(
            "failover_syncs", "Data syncs ended, by outcome", labels=["status"]
        )
        for status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED):
            runs.add_metric([status.value], SyncRun.objects.filter(status=status).count())
        yield runs

    @staticmethod
    def _history():
        changes = CounterMetricFamily(
            "failover_failovers", "Role changes of this site, by cause", labels=["cause"]
        )
        # Role changes by cause, from the history event that records each.
        for kind in EventKind.with_cause():
            count = StatusEvent.objects.filter(kind=kind, details__has_key="role").count()
            changes.add_metric([kind.cause], count)
        yield changes
        yield CounterMetricFamily(
            "failover_conflicts",
            "Role conflicts detected",
            value=StatusEvent.objects.filter(kind=EventKind.CONFLICT_DETECTED).count(),
        )


def _allowed(request) -> bool:
    token = settings.FAILOVER_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    try:
        client = ipaddress.ip_address(client_address(request) or "")
    except ValueError:
        return False
    return any(client in network for network in settings.FAILOVER_METRICS_ALLOWED_IPS)


@require_GET
def metrics(request):
    if not _allowed(request):
        return HttpResponse(
            "Forbidden: send the metrics bearer token or scrape from an allowed address.\n",
            status=403,
            content_type="text/plain",
        )
    registry = CollectorRegistry()
    registry.register(SiteCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
