"""The witness between three live sites: site-a primary, site-b backup and
site-c their witness, each reaching the others through a cuttable link."""

import json
import random
import threading
import time
from datetime import datetime

import pytest

from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.sites

TIMEOUT = 3  # primary timeout (s) on both sites; the harness checks every second


@pytest.fixture
def trio(cluster_factory):
    cluster = cluster_factory(3)
    primary, backup, witness = cluster[0], cluster[1], cluster[2]
    cluster.pair(primary, backup)
    for site in (primary, backup):
        site.manage("failover", "shared-ip", "add", "192.0.2.100/24", "--interface", "eth0")
        site.manage("failover", "settings", "--primary-timeout", str(TIMEOUT))
        # Each reaches the witness at its own address (its own link).
        port = str(cluster.link(site, witness).port)
        site.manage(
            "failover", "witness", "add", "--host", "127.0.0.1", "--port", port, "--this-site-only"
        )
    for site in (primary, backup):
        site.wait_status(
            lambda s: s["peer"]["reachable"] and s["witness"]["reachable"],
            what=f"{site.name} sees its peer and the witness",
        )
    wait_for(lambda: len(witness_pair(witness)["sites"]) == 2, 10, 0.2, "the witness knows both")
    return cluster


def witness_pair(witness) -> dict:
    """What the witness holds about the pair, read from its database."""
    out = witness.manage(
        "shell",
        "-c",
        "import json; from failover.models import WitnessedPair as P; "
        "p = P.objects.first(); "
        "print(json.dumps({'granted': p.granted_epoch if p else 0, "
        "'sites': [s.hostname for s in p.sites.all()] if p else []}))",
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def event_time(site, kind: str) -> float:
    [event] = site.events(kind)
    return datetime.fromisoformat(event["time"]).timestamp()


def never_primary(site, seconds: float) -> None:
    """The site stays out of the primary role for the whole time given."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert site.status()["role"] == "backup", f"{site.name} became primary"
        time.sleep(0.2)


def test_a_cut_link_with_the_witness_reachable_makes_no_second_primary(trio):
    primary, backup = trio[0], trio[1]
    trio.cut(primary, backup)
    never_primary(backup, 3 * TIMEOUT)
    status = primary.status()
    assert status["role"] == "primary" and not status["stepped_down"]
    assert status["shared_ips"][0]["state"] == "up"
    [refused] = backup.events("witness_refused")
    assert "not failing over: the witness refused: it heard from site-a" in refused["message"]
    assert not backup.events("failover")


def test_a_primary_cut_off_from_both_steps_down_and_the_backup_promotes(trio):
    primary, backup, witness = trio[0], trio[1], trio[2]
    trio.cut(primary, backup)
    trio.cut(primary, witness)
    cut_at = time.time()
    stepped = primary.wait_status(
        lambda s: s["stepped_down"], timeout=TIMEOUT + 4, what="the primary steps down"
    )
    assert stepped["role"] == "primary" and stepped["shared_ips"][0]["state"] == "down"
    backup.wait_status(lambda s: s["role"] == "primary", timeout=TIMEOUT + 4, what="failover")
    stepped_at, promoted_at = event_time(primary, "stepped_down"), event_time(backup, "failover")
    assert stepped_at - cut_at <= TIMEOUT + 2
    # Overlap: the old primary still held its addresses after the new one took them.
    assert stepped_at - promoted_at <= 1.0
    assert backup.status()["epoch"] == 2 and witness_pair(witness)["granted"] == 2
    assert "the witness granted epoch 2" in backup.events("failover")[0]["message"]
    # Back in touch: the witness (or the peer) tells the old primary it was replaced.
    trio.restore(primary, witness)
    status = primary.wait_status(lambda s: s["role"] == "backup", timeout=10, what="demoted")
    assert status["epoch"] == 2 and status["shared_ips"][0]["state"] == "down"


def test_with_the_witness_down_a_killed_primary_is_not_replaced(trio):
    primary, backup, witness = trio[0], trio[1], trio[2]
    witness.kill()
    backup.wait_status(lambda s: s["witness"]["reachable"] is False, what="witness unreachable")
    page = backup.session().get(f"{backup.url}/management/failover/").text
    assert "is unreachable: both sites keep their roles" in " ".join(page.split())
    primary.kill()
    never_primary(backup, 3 * TIMEOUT)
    [refused] = backup.events("witness_refused")
    assert "the witness could not be asked" in refused["message"]
    assert backup.events("witness_unreachable")


def test_a_witness_restart_keeps_the_epochs_it_granted(trio):
    primary, backup, witness = trio[0], trio[1], trio[2]
    primary.kill()
    backup.wait_status(lambda s: s["role"] == "primary", timeout=TIMEOUT + 4, what="failover")
    witness.restart()
    assert witness_pair(witness)["granted"] == 2
    # Asked again for epoch 2 (as the old primary would), it refuses.
    again = witness.manage(
        "shell",
        "-c",
        "from failover.models import WitnessedPair as P; p = P.objects.get(); "
        "a = p.sites.get(hostname='site-a'); b = p.sites.get(hostname='site-b'); "
        "print(P.ask_grant({'relationship_id': p.relationship_id, 'site_id': a.site_id, "
        "'peer_site_id': b.site_id, 'hostname': 'site-a', 'role': 'backup', 'epoch': 1, "
        "'timeout': 3.0}, 2)[0].granted)",
    ).stdout
    assert again.strip().splitlines()[-1] == "False"
    assert len(witness.events("witness_granted")) == 1
    backup.wait_status(lambda s: s["witness"]["reachable"], what="the witness is back")
    assert backup.status()["role"] == "primary"


class RoleWatch:
    """Samples both sites' status as fast as they answer, in a thread, and
    keeps when each acted as primary (primary role, not waiting or stepped
    down, so holding its failover IPs)."""

    def __init__(self, sites):
        self.sites = sites
        self.samples: list[tuple[float, bool, bool]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _acting(self, site) -> bool:
        try:
            status = site.status()
        except Exception:  # noqa: BLE001 - a site that does not answer acts as nothing here
            return False
        return status["role"] == "primary" and not status["confirming_primary"]

    def _run(self) -> None:
        while not self._stop.is_set():
            a, b = (self._acting(site) for site in self.sites)
            self.samples.append((time.monotonic(), a, b))
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def longest_overlap(self) -> float:
        """The longest stretch of samples with both acting as primary."""
        longest, since = 0.0, None
        for moment, a, b in self.samples:
            if a and b:
                since = moment if since is None else since
                longest = max(longest, moment - since)
            else:
                since = None
        return longest


def test_random_partitions_never_make_two_primaries_for_long(trio):
    primary, backup, witness = trio[0], trio[1], trio[2]
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    links = [(primary, backup), (primary, witness), (backup, witness)]
    watch = RoleWatch([primary, backup])
    try:
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            for a, b in links:
                (trio.cut if rng.random() < 0.5 else trio.restore)(a, b)
            # Hold each partition for a while: the fault, not a wait for a result.
            time.sleep(rng.uniform(1, 2 * TIMEOUT))
        for a, b in links:
            trio.restore(a, b)
        wait_for(
            lambda: (
                [s["role"] for s in (primary.status(), backup.status())].count("primary") == 1
                and not any(s["confirming_primary"] for s in (primary.status(), backup.status()))
            ),
            30,
            0.2,
            "one primary once the links heal",
        )
    finally:
        watch.stop()
    overlap = watch.longest_overlap()
    changes = {
        kind: len(primary.events(kind)) + len(backup.events(kind))
        for kind in ("failover", "stepped_down", "demoted", "primary_confirmed")
    }
    print(f"seed {seed}: longest overlap {overlap:.2f} s; {changes}")
    assert overlap <= 1.0, f"two primaries for {overlap:.2f} s (seed {seed})"
    granted = [event["message"].split()[2] for event in witness.events("witness_granted")]
    assert len(granted) == len(set(granted)), f"an epoch granted twice: {granted}"
    assert len(watch.samples) > 100
