"""Health checks between two live sites."""

import subprocess
import sys

import pytest

from failover_site.launch import BASE_DIR
from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.sites


def _peer(site):
    return site.status()["peer"]


def test_a_killed_backup_shows_unreachable_once_then_reachable_once(paired):
    primary, backup = paired[0], paired[1]
    primary.wait_status(lambda s: s["peer"]["reachable"], what="first check")

    backup.kill()
    primary.wait_status(
        lambda s: s["peer"]["reachable"] is False, timeout=10, what="backup seen unreachable"
    )
    status_code, health = primary.health()
    assert status_code == 503
    assert "the peer site is unreachable" in health["problems"]
    # Several more checks fail, still one event.
    last_check = _peer(primary)["last_check"]
    primary.wait_status(lambda s: s["peer"]["last_check"] > last_check, what="another check")
    primary.wait_status(lambda s: s["peer"]["last_check"] > last_check, what="another check")
    assert len(primary.events("peer_unreachable")) == 1

    backup.restart()
    primary.wait_status(lambda s: s["peer"]["reachable"], timeout=15, what="reachable again")
    assert len(primary.events("peer_reachable")) == 1
    assert len(primary.events("peer_unreachable")) == 1
    assert primary.health()[0] == 200


def test_checks_keep_their_timeouts_when_the_link_hangs(paired):
    primary, backup = paired[0], paired[1]
    paired.cut(primary, backup)
    status = primary.wait_status(lambda s: s["peer"]["reachable"] is False, timeout=10)
    assert "no answer within" in status["peer"]["last_error"]
    paired.restore(primary, backup)
    primary.wait_status(lambda s: s["peer"]["reachable"], timeout=10)


def test_the_page_shows_both_hosts_live(paired):
    primary = paired[0]
    primary.wait_status(lambda s: s["peer"]["reachable"])
    html = (
        primary.session()
        .get(
            f"{primary.url}/management/failover/",
            headers={"HX-Request": "true", "HX-Target": "failover-live"},
            params={"rendered_role": "primary"},
        )
        .text
    )
    assert "site-b" in html
    assert "succeeded" in html
    assert "Peer host" in html


def test_the_container_health_checks_pass_on_a_live_site(two_sites):
    site = two_sites[0]
    env = {**site.spec.environment(), "FAILOVER_PORT": str(site.port)}
    for check in ("web", "workers"):
        wait_for(
            lambda c=check: (
                subprocess.run(
                    [sys.executable, "docker/healthcheck.py", c],
                    env=env,
                    cwd=BASE_DIR,
                    capture_output=True,
                ).returncode
                == 0
            ),
            timeout=30,
            what=f"the {check} health check",
        )
    site.kill(["web"])
    done = subprocess.run(
        [sys.executable, "docker/healthcheck.py", "web"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "unhealthy" in done.stderr
