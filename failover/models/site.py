import uuid

from django.db import models
from django.utils import timezone

from failover.domain.roles import ROLE_CHOICES, Role
from failover.models.singleton import SingletonModel


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
    def peer_address(self) -> str:
        return f"{self.peer_host}:{self.peer_port}" if self.peer_host else ""

    def touch_role(self) -> None:
        self.role_changed_at = timezone.now()
