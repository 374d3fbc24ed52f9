"""Sign-in limits beyond django-axes' lock of one (user name, address) pair:
a user name tried from many addresses, and an address trying many user
names, are locked out too, at higher thresholds, for the same cool-off."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def _failures(**match) -> int:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since, **match)
    return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


def locked_out(username: str, address: str | None) -> bool:
    """Too many recent failures for this user name, or from this address."""
    if username and _failures(username=username) >= settings.SIGN_IN_FAILURES_PER_USER:
        return True
    return bool(address) and _failures(ip_address=address) >= settings.SIGN_IN_FAILURES_PER_ADDRESS
