"""Planned role swaps, their options and their lock, between two live sites."""

import contextlib
import threading

import pytest
import requests

from tests.fixtures.trees import MB, listing, write_file
from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.sites


class RoleWatch:
    """Polls both sites' roles during a swap and proves there were never two
    primaries. Reads are one site after the other, so two "primary" answers in
    one round prove nothing; but once the site taking over was seen primary,
    seeing the site giving up still primary *later* proves they overlapped
    (each changes role once)."""

    def __init__(self, sites):
        self.sites = sites
        self.seen = []  # (site index, role), in the order read
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        while not self.stop.is_set():
            for index, site in enumerate(self.sites):
                with contextlib.suppress(requests.RequestException):
                    self.seen.append((index, site.status()["role"]))
            self.stop.wait(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        if exc[0] is not None:
            return
        first = {i: next(r for j, r in self.seen if j == i) for i in range(2)}
        assert sorted(first.values()) == ["backup", "primary"], self.seen
        riser = next(i for i in range(2) if first[i] == "backup")
        rose = [n for n, (i, r) in enumerate(self.seen) if i == riser and r == "primary"]
        assert rose, f"the watch never saw the new primary: {self.seen}"
        overlap = [(i, r) for i, r in self.seen[rose[0] :] if i != riser and r == "primary"]
        assert not overlap, "the old primary was still primary after the new one promoted"


def _with_failover_ips(cluster):
    for site in cluster.sites:
        site.manage("failover", "shared-ip", "add", "192.0.2.100/24", "--interface", "eth0")


def _ip_state(site) -> str:
    return site.status()["shared_ips"][0]["state"]


def test_planned_swaps_both_ways(paired):
    a, b = paired[0], paired[1]
    _with_failover_ips(paired)
    with RoleWatch(paired.sites):
        done = a.manage("failover", "become", "backup")
    assert "is the primary now" in done.stdout
    assert (a.status()["role"], b.status()["role"]) == ("backup", "primary")
    assert a.status()["epoch"] == b.status()["epoch"] == 2
    assert (_ip_state(a), _ip_state(b)) == ("down", "up")
    for site in (a, b):
        assert "(command line)" in site.events("role_swapped")[0]["actor"]
    assert b.events("role_swapped")[0]["actor"].endswith("on site-a")

    with RoleWatch(paired.sites):
        response = a.api("POST", "failover/become", json={"role": "primary"})
        assert response.status_code == 202
        a.wait_status(lambda s: s["swap"]["status"] == "succeeded", timeout=20)
    assert (a.status()["role"], b.status()["role"]) == ("primary", "backup")
    assert a.status()["epoch"] == 3
    assert (_ip_state(a), _ip_state(b)) == ("up", "down")


def test_a_sync_first_swap_copies_the_data_and_signs_users_out(paired):
    a, b = paired[0], paired[1]
    write_file(a.data_dir / "latest" / "work.dat", 2 * MB)
    browser = a.session()
    with RoleWatch(paired.sites):
        b.manage("failover", "become", "primary", "--sync-first")
    assert (a.status()["role"], b.status()["role"]) == ("backup", "primary")
    assert listing(b.data_dir) == listing(a.data_dir)
    page = browser.get(f"{a.url}/management/failover/", allow_redirects=False)
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert a.events("signed_out")
    assert b.events("sync_succeeded")[0]["details"]["fetched"] == 1


def test_a_swap_with_the_peer_down(paired):
    a, b = paired[0], paired[1]
    b.kill()
    done = a.manage("failover", "become", "backup", check=False)
    assert done.returncode != 0
    assert "The peer cannot be contacted" in done.stderr
    assert "nothing changed" in done.stderr
    assert a.status()["role"] == "primary" and a.status()["epoch"] == 1

    done = a.manage("failover", "become", "backup", "--force")
    assert "Promote" in done.stdout and "by hand" in done.stdout
    assert a.status()["role"] == "backup"

    # The backup comes back: two backups is a conflict, shown on both pages and
    # settled by Fix this error.
    b.restart()
    for site in (a, b):
        site.wait_status(lambda s: s["peer"]["reachable"], timeout=15)
        page = site.session().get(f"{site.url}/management/failover/").text
        assert "Fix this error" in page
    assert a.events("conflict_detected")
    done = b.manage("failover", "fix-conflict")
    assert "Conflict fixed" in done.stdout
    roles = sorted(site.status()["role"] for site in (a, b))
    assert roles == ["backup", "primary"]
    wait_for(lambda: a.events("conflict_resolved"), timeout=10, what="the conflict resolved")


def test_become_primary_with_the_primary_down_is_cancelled(paired):
    a, b = paired[0], paired[1]
    a.kill()
    done = b.manage("failover", "become", "primary", check=False)
    assert done.returncode != 0
    assert "The peer cannot be contacted" in done.stderr
    assert b.status()["role"] == "backup"


def test_everything_else_is_refused_during_a_sync_first_swap(paired):
    a, b = paired[0], paired[1]
    write_file(a.data_dir / "big.bin", 30 * MB)
    b.manage("failover", "settings", "--bandwidth-limit", "24")  # about 10 s
    response = a.api("POST", "failover/become", json={"role": "backup", "sync_first": True})
    assert response.status_code == 202
    b.wait_status(
        lambda s: s["running_sync"] and s["running_sync"]["trigger"] == "swap",
        timeout=20,
        what="the swap's sync under way",
    )
    for site in (a, b):
        for path, body in (
            ("failover/sync-now", None),
            ("failover/break", None),
            ("failover/become", {"role": "primary"}),
            ("failover/fix-conflict", None),
        ):
            refused = site.api("POST", path, json=body)
            assert refused.status_code == 409, (site.name, path)
            assert "A role swap is in progress" in refused.json()["error"]
        done = site.manage("failover", "sync-now", check=False)
        assert done.returncode != 0 and "A role swap is in progress" in done.stderr
    session = b.session()
    page = b.post_form(session, "/management/failover/break", {})
    assert page.status_code == 409
    html = session.get(f"{b.url}/management/failover/").text
    assert "A role swap is in progress" in html
    assert 'class="danger" disabled>Break relationship' in html
    # The primary's users were signed out and cannot sign in until it is over.
    login = requests.Session()
    login.get(f"{a.url}/login")
    refused = login.post(
        f"{a.url}/login",
        data={
            "username": "admin",
            "password": "harness-admin-password",
            "csrfmiddlewaretoken": login.cookies["csrftoken"],
        },
        allow_redirects=False,
    )
    assert refused.status_code == 200 and "Sign-in is paused" in refused.text

    b.manage("failover", "settings", "--bandwidth-limit", "0")
    a.wait_status(lambda s: s["swap"]["status"] == "succeeded", timeout=60)
    assert (a.status()["role"], b.status()["role"]) == ("backup", "primary")
    assert a.status()["swap_in_progress"] is None and b.status()["swap_in_progress"] is None
    # Operations are accepted again, and data now flows from the new primary.
    write_file(b.data_dir / "written-on-the-new-primary.txt", 100)
    assert b.api("POST", "failover/sync-now").status_code == 202
    a.wait_status(lambda s: s["last_data_sync_status"] == "succeeded", timeout=30)
    assert listing(a.data_dir) == listing(b.data_dir)


def test_two_primaries_at_the_same_epoch_are_fixed_from_the_page(paired):
    a, b = paired[0], paired[1]
    for site in (a, b):
        site.manage(
            "shell",
            "-c",
            "from failover.models import SiteState; "
            "SiteState.objects.update(role='primary', epoch=5)",
        )
    write_file(b.data_dir / "newest.txt", 10)  # b's data is the newest: b wins
    for site in (a, b):
        site.wait_status(lambda s: s["peer"]["role"] == "primary", timeout=10)
        wait_for(
            lambda s=site: (
                "Fix this error" in s.session().get(f"{s.url}/management/failover/").text
            ),
            timeout=10,
            what="the conflict shown",
        )
    response = a.post_form(a.session(), "/management/failover/fix-conflict", {})
    assert response.status_code == 302
    assert (a.status()["role"], b.status()["role"]) == ("backup", "primary")
    assert a.status()["epoch"] == b.status()["epoch"] == 6
    assert "newest" in a.events("conflict_fixed")[0]["message"]
