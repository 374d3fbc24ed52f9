from django.core.validators import MaxValueValidator
from django.db import models


class SharedIP(models.Model):
    """An address this site may hold. Failover addresses follow the primary role.

    Each site keeps its own list (never replicated); the administrator mirrors
    the choice on the peer by hand.
    """

    class State(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        UP = "up", "Up"
        DOWN = "down", "Down"
        ERROR = "error", "Error"

    address = models.GenericIPAddressField(unique=True)
    prefix = models.PositiveSmallIntegerField(validators=[MaxValueValidator(128)])
    interface = models.CharField(max_length=15)
    is_failover = models.BooleanField("Failover IP", default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UNKNOWN)
    last_error = models.TextField(blank=True)
    # When this site last brought the address up (the kernel's change, not
    # the announcement after it), and last announced it (domain.announcements).
    came_up_at = models.DateTimeField(null=True, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["interface", "address"]
        verbose_name = "shared IP"

    def __str__(self):
        return f"{self.address}/{self.prefix} on {self.interface}"

    @property
    def cidr(self) -> str:
        return f"{self.address}/{self.prefix}"
