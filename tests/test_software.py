from datetime import timedelta

from django.utils import timezone

from failover import __version__
from failover.models import QueueHeartbeat


def test_it_is_the_default_tab(staff_client):
    response = staff_client.get("/management/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page">Software<' in html
    for tab in ("Failover", "Security"):
        assert f">{tab}</a>" in html


def test_it_shows_version_host_database_and_broker(staff_client, settings):
    settings.FAILOVER_EMBEDDED_REDIS = None
    html = staff_client.get("/management/").content.decode()
    assert __version__ in html
    assert settings.FAILOVER_SITE_NAME in html
    assert "Host uptime" in html
    from django.db import connection

    assert connection.display_name in html
    assert settings.CELERY_BROKER_URL.split("://")[0] in html


def test_it_names_the_embedded_redis_and_its_socket(staff_client, settings, tmp_path):
    settings.FAILOVER_EMBEDDED_REDIS = tmp_path / "redis.sock"
    html = staff_client.get("/management/").content.decode()
    assert f"embedded Redis ({tmp_path / 'redis.sock'})" in html


def test_it_hides_the_password_of_a_redis_server(staff_client, settings):
    settings.FAILOVER_EMBEDDED_REDIS = None
    settings.CELERY_BROKER_URL = "redis://:hunter2-secret@redis.example:6379/0"
    html = staff_client.get("/management/").content.decode()
    assert "redis.example:6379" in html
    assert "hunter2-secret" not in html


def test_it_shows_whether_workers_answered(staff_client):
    QueueHeartbeat.objects.create(queue="health", seen_at=timezone.now(), worker="w1@host")
    QueueHeartbeat.objects.create(
        queue="default", seen_at=timezone.now() - timedelta(hours=1), worker="w1@host"
    )
    html = staff_client.get("/management/").content.decode()
    health_row = html[html.index("<td>health</td>") : html.index("<td>default</td>")]
    default_row = html[html.index("<td>default</td>") :]
    assert "answering" in health_row
    assert "no answer" in default_row
