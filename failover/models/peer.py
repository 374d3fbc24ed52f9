from django.db import models

from failover.domain.roles import ROLE_CHOICES
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
    # The peer's whole last status answer, for the page's details.
    report = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return self.hostname or "unknown peer"
