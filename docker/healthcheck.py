"""Container health checks: `python docker/healthcheck.py web|workers`.

web: GET /-/alive on this host (HTTPS when the TLS files are mounted).
workers: a worker ran a health check recently (so beat schedules and the
worker consumes) and a default-queue task within a minute.
"""

import os
import ssl
import sys
import urllib.request


def web() -> bool:
    port = os.environ.get("FAILOVER_PORT", "8443")
    tls = all(
        os.path.isfile(os.environ.get(name, ""))
        for name in ("FAILOVER_TLS_CERT_FILE", "FAILOVER_TLS_KEY_FILE")
    )
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}/-/alive"
    context = ssl._create_unverified_context() if tls else None  # our own certificate
    with urllib.request.urlopen(url, timeout=5, context=context) as response:
        return response.status == 200


def workers() -> bool:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "failover_site.settings")
    import django

    django.setup()
    from failover.models import QueueHeartbeat

    return QueueHeartbeat.queue_alive("health") and QueueHeartbeat.queue_alive("default")


if __name__ == "__main__":
    check = {"web": web, "workers": workers}[sys.argv[1]]
    try:
        sys.exit(0 if check() else 1)
    except Exception as e:  # noqa: BLE001 - any failure is "unhealthy", said plainly
        print(f"unhealthy: {e}", file=sys.stderr)
        sys.exit(1)
