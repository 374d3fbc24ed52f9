import os
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from kombu.utils.url import maybe_sanitize_url

from failover import __version__
from failover.access import staff_required
from failover.models import QueueHeartbeat

_PROCESS_STARTED = time.monotonic()
QUEUES = ("health", "default")


def _host_uptime() -> timedelta | None:
    try:
        with open("/proc/uptime") as f:
            return timedelta(seconds=int(float(f.read().split()[0])))
    except (OSError, ValueError, IndexError):
        return None


def _database() -> str:
    db = settings.DATABASES["default"]
    name = os.path.basename(str(db["NAME"])) if connection.vendor == "sqlite" else db["NAME"]
    host = f" on {db.get('HOST')}:{db.get('PORT') or 'default port'}" if db.get("HOST") else ""
    return f"{connection.display_name} ({name}{host})"


def _broker() -> str:
    if settings.FAILOVER_EMBEDDED_REDIS:
        return f"embedded Redis ({settings.FAILOVER_EMBEDDED_REDIS})"
    return maybe_sanitize_url(settings.CELERY_BROKER_URL)


def _workers() -> list[QueueHeartbeat]:
    seen = {hb.queue: hb for hb in QueueHeartbeat.objects.all()}
    return [seen.get(queue) or QueueHeartbeat(queue=queue) for queue in QUEUES]


@require_GET
@staff_required
def software(request):
    return render(
        request,
        "management/software.html",
        {
            "tab": "software",
            "version": __version__,
            "host_uptime": _host_uptime(),
            "process_uptime": timedelta(seconds=int(time.monotonic() - _PROCESS_STARTED)),
            "database": _database(),
            "broker": _broker(),
            "workers": _workers(),
            "now": timezone.now(),
        },
    )
