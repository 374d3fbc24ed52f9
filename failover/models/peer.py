from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from failover import __version__
from failover.domain.health import PeerSnapshot, check_events, silent_since
from failover.domain.roles import ROLE_CHOICES
from failover.domain.split_brain import Verdict, judge
from failover.models.events import StatusEvent
from failover.models.singleton import SingletonModel


class PeerStatus(SingletonModel):
    """What this site last learned about its peer from a status check."""

    hostname = models.CharField(max_length=253, blank=True)
    role = models.CharField(max_length=10, choices=ROLE_CHOICES, blank=True)
    epoch = models.PositiveBigIntegerField(null=True, blank=True)
    version = models.CharField(max_length=50, blank=True)
    # None until the first check after pairing.
    reachable = models.BooleanField(null=True)
    last_check_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    unreachable_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The unreachable episode (its start) for which isolation was recorded, so
    # "cut off from every test IP" is recorded once per episode.
    isolation_noted_for = models.DateTimeField(null=True, blank=True)
    # Likewise for "unreachable for longer than the primary timeout".
    outage_noted_for = models.DateTimeField(null=True, blank=True)
    # Both sites in the same role, as the last check found (see domain.split_brain).
    conflict = models.BooleanField(default=False)

    # The peer's whole last status answer, for the page's details.
    report = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return self.hostname or "unknown peer"

    @classmethod
    def start_watching(cls, report: dict) -> None:
        """Forget the previous peer and start from what the new one just said."""
        cls.objects.update_or_create(
            pk=1,
            defaults={
                "hostname": report.get("hostname", ""),
                "role": report.get("role", ""),
                "epoch": report.get("epoch"),
                "version": report.get("version", ""),
                "reachable": None,
                "last_check_at": None,
                "last_success_at": None,
                "unreachable_since": None,
                "last_error": "",
                "report": report,
                "conflict": False,
                "isolation_noted_for": None,
                "outage_noted_for": None,
            },
        )

    def in_conflict_with(self, site) -> bool:
        """A conflict only an administrator settles: two primaries at the same
        epoch, or two backups (as last seen)."""
        return bool(
            site.in_relationship
            and self.reachable
            and judge(site.role, site.epoch, self.role, self.epoch) == Verdict.CONFLICT
        )

    def snapshot(self) -> PeerSnapshot:
        return PeerSnapshot(self.hostname, self.reachable, self.role, self.epoch, self.version)

    @classmethod
    def record_check(cls, started_at, report: dict | None, error: str = "") -> list:
        """Store a health check's outcome and the events it calls for.

        Checks can overlap (a slow one and the next); one that started before
        the last recorded check is stale and ignored, so events stay in order.
        """
        with transaction.atomic():
            peer = cls.objects.select_for_update().get(pk=cls.load().pk)
            if peer.last_check_at and peer.last_check_at > started_at:
                return []
            events = check_events(peer.snapshot(), report, error, __version__)
            now = timezone.now()
            peer.last_check_at = now
            if report is None:
                peer.reachable = False
                peer.last_error = error
                peer.unreachable_since = peer.unreachable_since or silent_since(
                    last_answer_at=peer.last_success_at,
                    failed_check_started_at=started_at,
                    # A beat may come late; two intervals still mean "all along".
                    max_gap=timedelta(seconds=2 * settings.FAILOVER_HEALTH_INTERVAL),
                )
            else:
                peer.reachable, peer.last_error, peer.unreachable_since = True, "", None
                peer.last_success_at = now
                peer.report = report
                peer.hostname = report.get("hostname", peer.hostname)
                peer.role = report.get("role", "")
                peer.epoch = report.get("epoch")
                peer.version = report.get("version", "")
            peer.save()
            return [StatusEvent.record(kind, message) for kind, message in events]
