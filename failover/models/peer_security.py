from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone


class SeenNonce(models.Model):
    """Nonces of accepted peer requests, kept for the replay window (used when
    no Redis cache is configured)."""

    nonce = models.CharField(max_length=32, unique=True)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.nonce

    @classmethod
    def remember(cls, nonce: str) -> bool:
        """True the first time a nonce is seen, False for a replay."""
        try:
            with transaction.atomic():
                cls.objects.create(nonce=nonce)
        except IntegrityError:
            return False
        return True

    @classmethod
    def forget_older_than(cls, age: timedelta) -> int:
        return cls.objects.filter(seen_at__lt=timezone.now() - age).delete()[0]
