"""Automatic failover and the epoch rule between two live sites."""

import time

import pytest

from tests.fixtures.waiting import wait_for
from tests.harness.proxy import TestAddress

pytestmark = pytest.mark.sites

TIMEOUT = 3  # primary timeout (s); the harness checks health every second
INTERVAL = 1


@pytest.fixture
def watched(paired):
    """site-a primary, site-b backup failing over after 3 s, one failover IP each,
    and a test address that answers."""
    primary, backup = paired[0], paired[1]
    test_ip = TestAddress()
    for site in (primary, backup):
        site.manage("failover", "shared-ip", "add", "192.0.2.100/24", "--interface", "eth0")
    backup.manage(
        "failover", "settings", "--primary-timeout", str(TIMEOUT), "--test-ip", test_ip.address
    )
    backup.wait_status(lambda s: s["peer"]["reachable"])
    yield paired, test_ip
    test_ip.stop()


def _ip_state(site) -> str:
    return site.status()["shared_ips"][0]["state"]


def test_a_killed_primary_is_replaced_within_timeout_plus_two_intervals(watched):
    cluster, _ = watched
    primary, backup = cluster[0], cluster[1]
    assert _ip_state(primary) == "up" and _ip_state(backup) == "down"
    primary.kill()
    killed = time.monotonic()
    status = backup.wait_status(
        lambda s: s["role"] == "primary", timeout=TIMEOUT + 2 * INTERVAL + 2, what="failover"
    )
    assert time.monotonic() - killed <= TIMEOUT + 2 * INTERVAL + 1
    assert status["epoch"] == 2
    assert _ip_state(backup) == "up"
    [event] = backup.events("failover")
    assert "test IPs reachable; became primary" in event["message"]


def test_a_freeze_shorter_than_the_timeout_causes_no_failover(watched):
    cluster, _ = watched
    primary, backup = cluster[0], cluster[1]
    cluster[1].manage("failover", "settings", "--primary-timeout", "6")
    primary.freeze()
    # Hold the freeze for half the timeout: the fault itself, not a wait for a result.
    time.sleep(3)
    primary.thaw()
    backup.wait_status(lambda s: s["peer"]["reachable"] and s["peer"]["last_check"], timeout=10)
    checked = backup.status()["peer"]["last_check"]
    backup.wait_status(lambda s: s["peer"]["last_check"] > checked)
    assert backup.status()["role"] == "backup"
    assert not backup.events("failover")


def test_a_cut_link_with_test_ips_answering_fails_over(watched):
    cluster, _ = watched
    primary, backup = cluster[0], cluster[1]
    cluster.cut(primary, backup)
    backup.wait_status(lambda s: s["role"] == "primary", timeout=TIMEOUT + 2 * INTERVAL + 3)
    assert _ip_state(backup) == "up"


def test_a_backup_cut_off_from_everything_does_not_fail_over(watched):
    cluster, test_ip = watched
    primary, backup = cluster[0], cluster[1]
    cluster.cut(primary, backup)
    test_ip.stop()
    wait_for(
        lambda: backup.events("isolated"),
        timeout=TIMEOUT + 3 * INTERVAL + 3,
        what="isolation recorded",
    )
    # Several more checks later: still the backup, still one event.
    for _ in range(3):
        checked = backup.status()["peer"]["last_check"]
        backup.wait_status(lambda s, c=checked: s["peer"]["last_check"] > c)
    assert backup.status()["role"] == "backup"
    [event] = backup.events("isolated")
    assert event["message"] == ("cut off from the primary and from every test IP; not failing over")
    assert not backup.events("failover")


def test_the_old_primary_comes_back_and_demotes_itself(watched):
    cluster, _ = watched
    primary, backup = cluster[0], cluster[1]
    primary.kill()
    backup.wait_status(lambda s: s["role"] == "primary", timeout=TIMEOUT + 2 * INTERVAL + 2)
    primary.restart()
    status = primary.wait_status(
        lambda s: s["role"] == "backup", timeout=10, what="the old primary demoted"
    )
    assert status["epoch"] == 2
    assert _ip_state(primary) == "down"
    [event] = primary.events("demoted")
    assert event["message"].startswith("demoted: peer is primary at epoch 2 > 1")
    assert "replaced by its next data sync" in event["message"]
    assert backup.status()["role"] == "primary"


def test_no_test_ips_fails_over_on_the_timeout_alone_and_warns(watched):
    cluster, _ = watched
    primary, backup = cluster[0], cluster[1]
    backup.manage("failover", "settings", "--clear-test-ips")
    page = backup.session().get(f"{backup.url}/management/failover/").text
    assert "cannot tell a dead primary from its own loss of network" in page
    cluster.cut(primary, backup)
    backup.wait_status(lambda s: s["role"] == "primary", timeout=TIMEOUT + 2 * INTERVAL + 3)
    assert "no test IPs configured" in backup.events("failover")[0]["message"]
