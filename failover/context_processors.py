from django.conf import settings

from failover import __version__


def site_identity(request):
    return {
        "site_name": settings.FAILOVER_SITE_NAME,
        "product_version": __version__,
    }
