"""The linux shared-IP backend for real: two hosts in network namespaces on one
bridge, a failover IP that moves from one to the other and answers there."""

import subprocess

import pytest

from failover.netif.probes import probe
from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.sites


def _mac_of(lan, name: str) -> str:
    done = subprocess.run(
        ["ip", "netns", "exec", lan.hosts[name][0], "cat", "/sys/class/net/eth0/address"],
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def _mac_seen_for(address: str) -> str:
    done = subprocess.run(["ip", "neigh", "show", address], capture_output=True, text=True)
    fields = done.stdout.split()
    return fields[fields.index("lladdr") + 1] if "lladdr" in fields else ""


def test_a_failover_ip_moves_to_the_new_primary_and_answers_there(lan, cluster_factory):
    cluster = cluster_factory(2, lan=lan, env={"FAILOVER_SHARED_IP_BACKEND": "linux"})
    a, b = cluster[0], cluster[1]
    floating = lan.address(100)
    for site in (a, b):
        site.manage("failover", "shared-ip", "add", f"{floating}/24", "--interface", "eth0")
    cluster.pair(a, b)
    assert floating in lan.addresses("site-a")
    assert floating not in lan.addresses("site-b")
    wait_for(lambda: probe(floating), timeout=10, what="the floating IP on site-a")
    assert _mac_seen_for(floating) == _mac_of(lan, "site-a")

    b.manage("failover", "settings", "--primary-timeout", "3", "--test-ip", lan.gateway)
    lan.set_link("site-a", up=False)  # site-a's host drops off the network
    b.wait_status(lambda s: s["role"] == "primary", timeout=15, what="failover to site-b")
    assert floating in lan.addresses("site-b")
    wait_for(
        lambda: probe(floating) and _mac_seen_for(floating) == _mac_of(lan, "site-b"),
        timeout=10,
        what="the floating IP answering from site-b",
    )

    # site-a comes back: it demotes itself and gives the address up.
    lan.set_link("site-a", up=True)
    a.wait_status(lambda s: s["role"] == "backup", timeout=15, what="site-a demoted")
    wait_for(
        lambda: floating not in lan.addresses("site-a"),
        timeout=5,
        what="the floating IP gone from site-a",
    )
    assert floating in lan.addresses("site-b")


def test_a_missing_interface_is_reported_not_ignored(lan, cluster_factory):
    cluster = cluster_factory(2, lan=lan, env={"FAILOVER_SHARED_IP_BACKEND": "linux"})
    a, b = cluster[0], cluster[1]
    a.manage("failover", "shared-ip", "add", f"{lan.address(101)}/24", "--interface", "nosuch0")
    cluster.pair(a, b)
    [shared] = a.status()["shared_ips"]
    assert shared["state"] == "error"
    assert "no such interface: nosuch0" in shared["error"]
    assert a.events("shared_ip_failed")
    page = a.session().get(f"{a.url}/management/failover/").text
    assert "no such interface: nosuch0" in page
