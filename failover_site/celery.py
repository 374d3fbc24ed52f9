import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "failover_site.settings")

app = Celery("failover_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _require_broker(**kwargs):
    """Without a broker the worker and beat would retry forever in silence."""
    from django.conf import settings

    from failover_site.embedded_redis import require_running

    require_running(settings.FAILOVER_EMBEDDED_REDIS)
