import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from failover.models.singleton import SingletonModel

MIN_KEY_LENGTH = 32


class InterSiteKey(SingletonModel):
    """The pre-shared key both sites sign peer requests with.

    ``FAILOVER_INTER_SITE_KEY`` in the environment overrides the stored one.
    """

    key = models.CharField(max_length=512, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)

    def __str__(self):
        return "Inter-site key"

    @staticmethod
    def from_environment() -> bool:
        return bool(settings.FAILOVER_INTER_SITE_KEY)

    @classmethod
    def current(cls) -> str:
        """The key in force, or "" when none is set."""
        if cls.from_environment():
            return settings.FAILOVER_INTER_SITE_KEY
        return cls.load().key

    @staticmethod
    def generate() -> str:
        return secrets.token_urlsafe(48)

    @staticmethod
    def masked(key: str) -> str:
        if not key:
            return ""
        return f"{key[:4]}{'•' * 12}{key[-4:]}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user bearer token for the JSON API. Only a hash is stored."""

    PREFIX = "fo_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        """Create a token; the plain value is returned once and never stored."""
        plain = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=_digest(plain), hint=plain[:8])
        return token, plain

    @classmethod
    def authenticate(cls, plain: str):
        """The active staff user a token belongs to, or None."""
        if not plain.startswith(cls.PREFIX):
            return None
        token = cls.objects.select_related("user").filter(digest=_digest(plain)).first()
        if token is None or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user
