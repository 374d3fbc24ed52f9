"""The shared address as a client sees it: two sites and a client host in
network namespaces, a responder on each site's host, the client connecting to
the failover IP every 20 ms. The bounds here are loose, for a loaded machine;
bench/shared_ip.py prints the real figures."""

import time
from types import SimpleNamespace

import pytest

from tests.fixtures.waiting import wait_for
from tests.harness.lan_client import (
    Prober,
    Responder,
    answered_by,
    longest_outage,
    share_address,
)

pytestmark = pytest.mark.sites
TIMEOUT = 3
# What the issue asks is 0.2 s for a swap and 1 s after a stall; twice or
# more, so that a loaded machine does not fail the test.
LOOSE_OUTAGE = 1.0
LOOSE_OVERHEAD = 1.0


@pytest.fixture
def watched(lan, cluster_factory, tmp_path):
    """site-a primary, site-b backup, both with the failover IP; the client
    answered by site-a."""
    cluster = cluster_factory(2, lan=lan, env={"FAILOVER_SHARED_IP_BACKEND": "linux"})
    a, b = cluster[0], cluster[1]
    floating = lan.address(100)
    share_address(cluster, lan, floating, timeout=TIMEOUT)
    responders = {site.name: Responder(lan, site.name).start() for site in (a, b)}
    prober = Prober(lan, floating, tmp_path / "probe.log")
    prober.wait_answered_by("site-a")
    yield SimpleNamespace(a=a, b=b, responders=responders, prober=prober)
    prober.stop()
    for responder in responders.values():
        responder.kill()


def _probed_until(prober, moment: float) -> list:
    wait_for(lambda: prober.samples()[-1].time >= moment, 20, 0.05, "the client's probes")
    return prober.samples()


def test_a_planned_swap_moves_the_client_in_both_directions(watched):
    for old, new in ((watched.a, watched.b), (watched.b, watched.a)):
        old.wait_status(lambda s: s["peer"]["reachable"], timeout=20, what="peer reachable")
        requested = time.monotonic()
        response = old.api("POST", "failover/become", json={"role": "backup"})
        assert response.status_code == 202, response.text
        moved = watched.prober.wait_answered_by(new.name, after=requested)
        old.wait_status(lambda s: s["swap"]["status"] == "succeeded", what="the swap")
        samples = _probed_until(watched.prober, moved + 2)
        assert not answered_by(samples, old.name, moved), f"{old.name} answered after the swap"
        assert longest_outage(samples, requested, moved + 2) < LOOSE_OUTAGE


def test_killing_the_primary_moves_the_client_soon_after_the_timeout(watched):
    watched.b.wait_status(lambda s: s["peer"]["reachable"], timeout=20, what="peer reachable")
    killed = time.monotonic()
    watched.a.kill()
    watched.responders["site-a"].kill()
    moved = watched.prober.wait_answered_by("site-b", after=killed, timeout=TIMEOUT + 20)
    assert moved - killed - TIMEOUT < LOOSE_OVERHEAD
    [failover] = watched.b.events("failover")
    assert "test IPs reachable; became primary" in failover["message"]


@pytest.mark.parametrize("stale", [True, False], ids=["stale-address", "address-gone"])
def test_the_old_primary_restarting_while_the_new_one_stalls_never_takes_the_client(
    watched, lan, stale
):
    a, b, prober = watched.a, watched.b, watched.prober
    floating = lan.address(100)
    b.wait_status(lambda s: s["peer"]["reachable"], timeout=20, what="peer reachable")
    killed = time.monotonic()
    a.kill()
    watched.responders["site-a"].kill()
    prober.wait_answered_by("site-b", after=killed, timeout=TIMEOUT + 20)
    b.wait_status(lambda s: s["shared_ips"][0]["state"] == "up", what="site-b holding the IP")
    if not stale:
        lan.remove_address("site-a", f"{floating}/24")  # as after a reboot
    assert (floating in lan.addresses("site-a")) is stale
    # site-a waits this long for its stalled peer before the test IPs decide:
    # longer than it can take to start on a loaded machine.
    a.manage("failover", "settings", "--primary-timeout", "60")

    b.freeze()
    restarted = time.monotonic()
    watched.responders["site-a"].start()
    a.start()
    a.wait_ready()
    a.wait_status(
        lambda s: s["confirming_primary"] and s["peer"]["reachable"] is False,
        what="site-a waiting to confirm, its peer silent",
    )
    wait_for(lambda: floating not in lan.addresses("site-a"), 10, 0.05, "no address on site-a")
    b.thaw()
    thawed = time.monotonic()

    a.wait_status(lambda s: s["role"] == "backup", timeout=20, what="site-a demoted")
    samples = _probed_until(prober, thawed + 3)
    assert not answered_by(samples, "site-a", restarted), "the old primary took the client"
    assert longest_outage(samples, restarted, thawed + 3) < LOOSE_OUTAGE
    assert floating in lan.addresses("site-b")
    assert floating not in lan.addresses("site-a")
    assert a.events("confirming_primary")
    assert not a.events("shared_ip_failed")
