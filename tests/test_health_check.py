"""The periodic health check against the fake peer: what it records, the epoch
rule, conflicts and automatic failover."""

from datetime import timedelta

import pytest
from django.utils import timezone

from failover.domain.roles import Role
from failover.models import BackupSettings, PeerStatus, SiteState, StatusEvent
from failover.services.health import check_peer


def kinds() -> list[str]:
    return list(StatusEvent.objects.order_by("id").values_list("kind", flat=True))


def test_a_reachable_peer_is_recorded_without_an_event(primary_here):
    check_peer(peer=primary_here)
    peer = PeerStatus.load()
    assert peer.reachable and peer.hostname == "site-b" and peer.role == Role.BACKUP
    assert kinds() == []


def test_an_unreachable_peer_is_one_event_until_it_is_back(primary_here):
    primary_here.down()
    for _ in range(3):
        check_peer(peer=primary_here)
    assert PeerStatus.load().reachable is False
    assert "connection timed out" in PeerStatus.load().last_error
    primary_here.up()
    check_peer(peer=primary_here)
    assert kinds() == ["peer_unreachable", "peer_reachable"]


def test_a_standalone_site_checks_nothing(db, fake_peer):
    assert check_peer(peer=fake_peer).summary == "standalone: nothing to check"
    assert not fake_peer.calls


def test_the_lower_epoch_primary_demotes_itself(primary_here):
    primary_here.role, primary_here.epoch = Role.PRIMARY, 5
    check_peer(peer=primary_here)
    site = SiteState.load()
    assert (site.role, site.epoch) == (Role.BACKUP, 5)
    demoted = StatusEvent.objects.get(kind="demoted")
    assert "peer is primary at epoch 5 > 1" in demoted.message


def test_two_primaries_at_the_same_epoch_are_a_conflict_noted_once(primary_here):
    primary_here.role = Role.PRIMARY
    check_peer(peer=primary_here)
    check_peer(peer=primary_here)
    assert PeerStatus.load().conflict
    primary_here.role = Role.BACKUP
    check_peer(peer=primary_here)
    assert kinds() == ["conflict_detected", "peer_changed", "conflict_resolved"]


def test_the_backup_fails_over_once_the_primary_is_gone_for_the_timeout(backup_here):
    BackupSettings.objects.update_or_create(pk=1, defaults={"primary_timeout": 3})
    backup_here.down()
    outcome = check_peer(peer=backup_here)
    assert outcome.recheck_in == pytest.approx(3, abs=0.5)
    assert SiteState.load().role == Role.BACKUP
    PeerStatus.objects.update(unreachable_since=timezone.now() - timedelta(seconds=4))
    check_peer(peer=backup_here)
    site = SiteState.load()
    assert (site.role, site.epoch) == (Role.PRIMARY, 2)
    assert (
        "no test IPs configured; became primary" in StatusEvent.objects.get(kind="failover").message
    )


def test_another_version_on_the_peer_is_recorded_once(primary_here):
    primary_here.version = "0.9.0"
    check_peer(peer=primary_here)
    check_peer(peer=primary_here)
    [event] = StatusEvent.objects.filter(kind="version_mismatch")
    assert "Product version mismatch" in event.message
