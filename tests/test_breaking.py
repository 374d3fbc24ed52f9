"""Break failover relationship against the fake peer."""

import pytest

from failover.domain.roles import Role
from failover.errors import Refused
from failover.models import SiteState, StatusEvent
from failover.services import breaking


def test_break_with_the_peer_up_makes_both_standalone(primary_here):
    outcome = breaking.break_relationship("alice", peer=primary_here)
    assert outcome.peer_told
    assert SiteState.load().role == Role.NONE and primary_here.role == Role.NONE
    assert "left it too" in outcome.message
    assert StatusEvent.objects.get(kind="unpaired").actor == "alice"


def test_break_with_the_peer_down_breaks_this_side_alone(backup_here):
    backup_here.down()
    outcome = breaking.break_relationship("alice", peer=backup_here)
    assert not outcome.peer_told
    assert SiteState.load().role == Role.NONE
    assert backup_here.role == Role.PRIMARY
    assert "must be broken there by hand" in outcome.message


def test_a_peer_that_already_left_is_said_so(primary_here):
    primary_here.relationship_id = None
    outcome = breaking.break_relationship("alice", peer=primary_here)
    assert outcome.peer_told
    assert "had already left it" in outcome.message


def test_a_standalone_site_has_nothing_to_break(db, fake_peer):
    with pytest.raises(Refused, match="no failover relationship"):
        breaking.break_relationship("alice", peer=fake_peer)
    assert not fake_peer.calls
    assert not StatusEvent.objects.exists()
