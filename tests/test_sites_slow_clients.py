"""Slow clients (each trickling a header line, never finishing a request)
starve neither the pages nor the peer API: health checks go on both ways."""

import time

import pytest
import requests

from tests.fixtures.waiting import wait_for
from tests.harness.slow_clients import SlowClients

pytestmark = pytest.mark.sites


def test_200_slow_connections_stop_neither_the_pages_nor_the_health_checks(cluster_factory):
    paired = cluster_factory(2, env={"FAILOVER_WEB_WORKERS": "2"})  # production's default
    primary, backup = paired[0], paired[1]
    paired.pair(primary, backup)
    backup.wait_status(lambda s: s["peer"]["reachable"], what="the backup's first check")
    primary.wait_status(lambda s: s["peer"]["reachable"], what="the primary's first check")
    slowest = 0.0
    with SlowClients(primary.port, count=200, interval=1.0) as slow:
        wait_for(lambda: slow.open >= 200, 20, 0.1, "200 slow connections")
        before = backup.status()["peer"]["last_success"]
        # Longer than the header timeout (10 s): the server cuts the slow
        # connections off, and they come back.
        deadline = time.monotonic() + 14
        while time.monotonic() < deadline:
            for path in ("/-/alive", "/login"):
                started = time.monotonic()
                assert requests.get(primary.url + path, timeout=5).status_code == 200
                slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.1)
        assert slow.open >= 150
        assert slow.closed_by_server >= 200
        # The backup's checks of the primary went on meanwhile.
        after = backup.status()["peer"]["last_success"]
    assert after > before
    assert slowest < 2.0
    for site in (primary, backup):
        assert site.events("peer_unreachable") == [], site.name
        assert site.status()["peer"]["reachable"] is True
