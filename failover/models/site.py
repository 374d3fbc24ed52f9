import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from failover.domain.preconditions import PairState
from failover.domain.roles import ROLE_CHOICES, Role
from failover.models.singleton import SingletonModel
from failover.models.witness import WitnessLink


class SiteState(SingletonModel):
    """This site's place in a failover relationship. Never replicated."""

    site_id = models.UUIDField(default=uuid.uuid4, editable=False)
    role = models.CharField(max_length=10, choices=ROLE_CHOICES, default=Role.NONE)
    # Fencing number: raised on every role change, never lowered.
    epoch = models.PositiveBigIntegerField(default=0)
    role_changed_at = models.DateTimeField(null=True, blank=True)
    relationship_id = models.UUIDField(null=True, blank=True)
    peer_site_id = models.UUIDField(null=True, blank=True)
    # How this site reaches its peer, and how the peer reaches this site.
    peer_host = models.CharField(max_length=253, blank=True)
    peer_port = models.PositiveIntegerField(null=True, blank=True)
    reverse_host = models.CharField(max_length=253, blank=True)
    reverse_port = models.PositiveIntegerField(null=True, blank=True)
    # The role-swap lock: while a swap holds it (and it has not expired), this
    # site accepts no other failover operation.
    swap_lock = models.UUIDField(null=True, blank=True)
    swap_lock_until = models.DateTimeField(null=True, blank=True)
    swap_lock_note = models.CharField(max_length=300, blank=True)
    # Set while a sync-first swap copies this (primary) site's data away: its
    # users were signed out and may not sign in until the swap has finished.
    sign_in_paused = models.BooleanField(default=False)
    # Set when this site's worker starts while it is primary: the peer may
    # have taken over meanwhile, so the failover IPs stay down until a health
    # check confirms the role (domain.primary_confirmation). Any role change
    # ends it.
    confirming_since = models.DateTimeField(null=True, blank=True)
    # Set when this site stops being primary: its data may hold writes its
    # peer never received, so the first sync that would replace them keeps
    # them as a diverged copy (services/diverged.py) and clears this.
    left_primary_epoch = models.PositiveBigIntegerField(null=True, blank=True)
    left_primary_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        permissions = [("manage_failover", "Can change the failover pair")]

    def __str__(self):
        return f"{self.get_role_display()} at epoch {self.epoch}"

    @property
    def in_relationship(self) -> bool:
        return self.role != Role.NONE

    @property
    def is_primary(self) -> bool:
        return self.role == Role.PRIMARY

    @property
    def is_backup(self) -> bool:
        return self.role == Role.BACKUP

    @property
    def confirming(self) -> bool:
        """Primary, but waiting to confirm the role before holding its addresses."""
        return self.is_primary and self.confirming_since is not None

    @property
    def holds_failover_ips(self) -> bool:
        return self.is_primary and self.confirming_since is None

    def start_confirming(self) -> bool:
        """A primary (re)started: from now on it waits to confirm its role."""
        started = SiteState.objects.filter(pk=self.pk, role=Role.PRIMARY).update(
            confirming_since=timezone.now()
        )
        if started:
            self.refresh_from_db()
        return bool(started)

    def step_down(self):
        """Cut off from its peer and its witness (domain.witness_quorum): the
        primary keeps its role but waits, as a restarted one does, with its
        failover IPs down. Returns when, or None if the site changed meanwhile."""
        at = timezone.now()
        stepped = SiteState.objects.filter(
            pk=self.pk, role=Role.PRIMARY, epoch=self.epoch, confirming_since__isnull=True
        ).update(confirming_since=at)
        if not stepped:
            return None
        self.refresh_from_db()
        return at

    @property
    def stepped_down(self) -> bool:
        """Waiting because it stepped down, rather than because it restarted."""
        return self.confirming and WitnessLink.load().stepped_down_at == self.confirming_since

    def confirm(self) -> bool:
        """The role is confirmed, if the site is still as it was read
        (compare-and-set: False if a role change or another check came first)."""
        confirmed = SiteState.objects.filter(
            pk=self.pk,
            role=Role.PRIMARY,
            epoch=self.epoch,
            confirming_since=self.confirming_since,
            confirming_since__isnull=False,
        ).update(confirming_since=None)
        if confirmed:
            self.refresh_from_db()
        return bool(confirmed)

    @property
    def swap_in_progress(self) -> bool:
        return bool(self.swap_lock and self.swap_lock_until > timezone.now())

    @property
    def swap_note(self) -> str | None:
        """What the swap lock is held for, while a swap holds it."""
        return self.swap_lock_note if self.swap_in_progress else None

    def pair_state(self, *, peer_reachable: bool | None = None, sync_running: bool = False):
        return PairState(
            self.role, self.swap_note, peer_reachable, sync_running, stepped_down=self.stepped_down
        )

    @property
    def sign_in_blocked(self) -> bool:
        return self.sign_in_paused and self.swap_in_progress

    def lock_for_swap(self, swap_id, note: str, ttl: timedelta) -> bool:
        """Take (or renew) the swap lock; False if another swap holds it."""
        now = timezone.now()
        free = Q(swap_lock__isnull=True) | Q(swap_lock_until__lt=now) | Q(swap_lock=swap_id)
        taken = SiteState.objects.filter(free, pk=self.pk).update(
            swap_lock=swap_id, swap_lock_until=now + ttl, swap_lock_note=note[:300]
        )
        if taken:
            self.refresh_from_db()
        return bool(taken)

    def unlock_swap(self, swap_id) -> bool:
        released = SiteState.objects.filter(pk=self.pk, swap_lock=swap_id).update(
            swap_lock=None, swap_lock_until=None, swap_lock_note="", sign_in_paused=False
        )
        if released:
            self.refresh_from_db()
        return bool(released)

    def change_role(self, role: Role, epoch: int, reason: str = "") -> bool:
        """Become ``role`` at a higher ``epoch``, if the site is still in the role
        and epoch it was read with. Compare-and-set: False if it changed meanwhile.
        ``reason``: why, kept with a diverged copy if leaving the primary role
        comes to cost data."""
        leaving_primary = {}
        if self.is_primary and role != Role.PRIMARY:
            leaving_primary = {
                "left_primary_epoch": self.epoch,
                "left_primary_reason": reason[:300],
            }
        changed = SiteState.objects.filter(
            pk=self.pk,
            role=self.role,
            epoch=self.epoch,
            epoch__lt=epoch,
            relationship_id=self.relationship_id,
        ).update(
            role=role,
            epoch=epoch,
            role_changed_at=timezone.now(),
            confirming_since=None,
            **leaving_primary,
        )
        if changed:
            self.refresh_from_db()
        return bool(changed)

    def divergence_checked(self) -> bool:
        """The data this site had as primary was checked before being replaced."""
        cleared = SiteState.objects.filter(
            pk=self.pk, left_primary_epoch=self.left_primary_epoch
        ).update(left_primary_epoch=None, left_primary_reason="")
        if cleared:
            self.refresh_from_db()
        return bool(cleared)

    @property
    def peer_address(self) -> str:
        return f"{self.peer_host}:{self.peer_port}" if self.peer_host else ""

    def join(
        self,
        *,
        role: Role,
        relationship_id,
        epoch: int,
        peer_site_id,
        peer_host: str,
        peer_port: int,
        reverse_host: str,
        reverse_port: int,
    ) -> bool:
        """Enter a relationship; only a standalone site can, and the epoch never
        goes back. Compare-and-set: False if the site was not standalone."""
        joined = SiteState.objects.filter(pk=self.pk, role=Role.NONE, epoch__lt=epoch).update(
            role=role,
            epoch=epoch,
            relationship_id=relationship_id,
            peer_site_id=peer_site_id,
            peer_host=peer_host,
            peer_port=peer_port,
            reverse_host=reverse_host,
            reverse_port=reverse_port,
            role_changed_at=timezone.now(),
            confirming_since=None,
        )
        if joined:
            self.refresh_from_db()
        return bool(joined)

    def leave(self) -> bool:
        """Leave the current relationship (keeping the epoch). Compare-and-set on
        the relationship id: False if it was already left or replaced."""
        if not self.in_relationship:
            return False
        left = SiteState.objects.filter(pk=self.pk, relationship_id=self.relationship_id).update(
            role=Role.NONE,
            relationship_id=None,
            peer_site_id=None,
            peer_host="",
            peer_port=None,
            reverse_host="",
            reverse_port=None,
            role_changed_at=timezone.now(),
            confirming_since=None,
        )
        if left:
            self.refresh_from_db()
        return bool(left)
