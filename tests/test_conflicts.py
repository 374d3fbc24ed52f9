"""Fix this error against the fake peer: the documented rule, both ways, and
what happens when the peer cannot take its part."""

import pytest

from failover.domain.roles import Role
from failover.errors import Refused
from failover.models import SiteState, StatusEvent
from failover.peer.client import PeerUnreachable
from failover.services import conflicts


@pytest.fixture
def two_primaries(primary_here):
    primary_here.role = Role.PRIMARY
    return primary_here


def test_the_site_with_the_newest_data_becomes_the_primary(two_primaries, settings, tmp_path):
    settings.FAILOVER_DATA_DIR = tmp_path
    (tmp_path / "newest").write_text("written here last")
    message = conflicts.fix_conflict("alice", peer=two_primaries)
    site = SiteState.load()
    assert (site.role, site.epoch) == (Role.PRIMARY, 2)
    assert (two_primaries.role, two_primaries.epoch) == (Role.BACKUP, 2)
    assert "this site is the primary" in message
    assert StatusEvent.objects.filter(kind="conflict_fixed", actor="alice").exists()
    assert not site.swap_in_progress and two_primaries.swap_lock is None


def test_the_peer_wins_when_its_data_is_newer(two_primaries, settings, tmp_path):
    settings.FAILOVER_DATA_DIR = tmp_path
    two_primaries.contender = {"data_changed_at": 4e9, "holds_shared_ips": False}
    message = conflicts.fix_conflict("alice", peer=two_primaries)
    assert SiteState.load().role == Role.BACKUP
    assert two_primaries.role == Role.PRIMARY
    assert "site-b is the primary" in message


def test_two_backups_are_settled_too(backup_here, settings, tmp_path):
    settings.FAILOVER_DATA_DIR = tmp_path
    backup_here.role = Role.BACKUP
    backup_here.contender = {"data_changed_at": 4e9, "holds_shared_ips": False}
    conflicts.fix_conflict("alice", peer=backup_here)
    assert (SiteState.load().role, backup_here.role) == (Role.BACKUP, Role.PRIMARY)


def test_without_a_conflict_nothing_changes(primary_here):
    with pytest.raises(Refused, match="There is no conflict to fix"):
        conflicts.fix_conflict("alice", peer=primary_here)
    assert (SiteState.load().epoch, primary_here.epoch) == (1, 1)


def test_an_unreachable_peer_is_refused_with_502(two_primaries):
    two_primaries.down()
    with pytest.raises(Refused, match="only be fixed while both sites can talk") as refused:
        conflicts.fix_conflict("alice", peer=two_primaries)
    assert refused.value.status == 502
    assert SiteState.load().role == Role.PRIMARY


def test_a_peer_that_cannot_be_promoted_is_reported(two_primaries, settings, tmp_path):
    settings.FAILOVER_DATA_DIR = tmp_path
    two_primaries.contender = {"data_changed_at": 4e9, "holds_shared_ips": False}

    def refuse_promotion(payload):
        if payload["role"] == "primary":
            raise PeerUnreachable("connection closed")

    two_primaries.on("role/change", refuse_promotion)
    with pytest.raises(Refused, match="both sites are backup; try Fix this error again"):
        conflicts.fix_conflict("alice", peer=two_primaries)
    assert not SiteState.load().swap_in_progress
