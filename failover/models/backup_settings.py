from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from failover.domain.validation import normalise_test_address
from failover.models.singleton import SingletonModel

PRIMARY_TIMEOUT_RANGE = (3, 86400)
SYNC_INTERVAL_RANGE = (0, 10080)
BANDWIDTH_LIMIT_RANGE = (Decimal(0), Decimal(100000))
MAX_TEST_IPS = 10


def validate_test_ips(value):
    if not isinstance(value, list):
        raise ValidationError("Test IPs must be a list.")
    if len(value) > MAX_TEST_IPS:
        raise ValidationError(f"At most {MAX_TEST_IPS} test addresses.")
    for item in value:
        try:
            normalise_test_address(item)
        except (ValueError, TypeError) as e:
            raise ValidationError(str(e)) from None


class BackupSettings(SingletonModel):
    """How this site behaves while it is the backup (SPEC section 5). Never replicated."""

    backup_operations_enabled = models.BooleanField("Enable backup operations", default=True)
    primary_timeout = models.PositiveIntegerField(
        "Primary site instance timeout (seconds)",
        default=60,
        validators=[
            MinValueValidator(PRIMARY_TIMEOUT_RANGE[0]),
            MaxValueValidator(PRIMARY_TIMEOUT_RANGE[1]),
        ],
        help_text="How long the primary must be unreachable before failing over "
        f"({PRIMARY_TIMEOUT_RANGE[0]} to {PRIMARY_TIMEOUT_RANGE[1]} seconds).",
    )
    sync_interval = models.PositiveIntegerField(
        "Automatic data-sync interval (minutes)",
        default=15,
        validators=[
            MinValueValidator(SYNC_INTERVAL_RANGE[0]),
            MaxValueValidator(SYNC_INTERVAL_RANGE[1]),
        ],
        help_text=f"0 turns automatic syncs off; at most {SYNC_INTERVAL_RANGE[1]} (a week).",
    )
    bandwidth_limit = models.DecimalField(
        "Data-sync bandwidth limit (Mbit/s)",
        max_digits=9,
        decimal_places=3,
        default=Decimal(0),
        validators=[
            MinValueValidator(BANDWIDTH_LIMIT_RANGE[0]),
            MaxValueValidator(BANDWIDTH_LIMIT_RANGE[1]),
        ],
        help_text="0 or empty means unlimited.",
    )
    auto_failover_enabled = models.BooleanField("Enable automatic failover", default=True)
    continuous_sync = models.BooleanField(
        "Continuous data sync",
        default=True,
        help_text="The primary tells the backup of every change, and the backup pulls it "
        "at once; the interval sync stays as the safety net.",
    )
    keep_diverged = models.PositiveIntegerField(
        "Diverged copies to keep",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Copies of data this site had to replace after it was primary; "
        "the oldest beyond this many are deleted.",
    )
    test_ips = models.JSONField(
        "Network connectivity test IPs",
        default=list,
        blank=True,
        validators=[validate_test_ips],
        help_text="An IP address is pinged; host:port is tried with a TCP connect.",
    )

    def __str__(self):
        return "Backup settings"

    @property
    def bandwidth_limit_bytes_per_second(self) -> float:
        """0 means unlimited."""
        return float(self.bandwidth_limit) * 1_000_000 / 8
