from django.conf import settings

from failover import __version__
from failover.access import CHANGE_REFUSED, can_manage


def site_identity(request):
    return {
        "site_name": settings.FAILOVER_SITE_NAME,
        "product_version": __version__,
    }


def permissions(request):
    """Whether the signed-in user may change the pair: pages disable their
    forms, with the reason, for those who may only look."""
    user = getattr(request, "user", None)
    allowed = bool(user and user.is_authenticated and can_manage(user))
    return {"can_manage": allowed, "change_refused": "" if allowed else CHANGE_REFUSED}
