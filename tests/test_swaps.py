"""Planned role swaps against the fake peer: both directions, both options, a
peer that is down or misbehaves, and a lost compare-and-set."""

from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db.models import F

from failover import dispatch
from failover.domain.roles import Role
from failover.errors import Refused
from failover.models import RoleSwap, SiteState, StatusEvent, SyncRun
from failover.peer.client import PeerRefused, PeerUnreachable
from failover.services import swap_request, swap_run

pytestmark = pytest.mark.django_db


def swap(peer, role: str, *, sync_first=False, force=False) -> RoleSwap:
    """Request a swap as the page does, then run it as the worker would."""
    with mock.patch.object(dispatch, "enqueue"):
        requested = swap_request.request_swap(
            role, sync_first=sync_first, force=force, actor="alice"
        )
    swap_run.execute(str(requested.id), peer=peer)
    requested.refresh_from_db()
    return requested


def kinds() -> list[str]:
    return list(StatusEvent.objects.order_by("id").values_list("kind", flat=True))


def test_become_backup_on_the_primary_swaps_both_roles(primary_here):
    done = swap(primary_here, "backup")
    site = SiteState.load()
    assert done.status == RoleSwap.Status.SUCCEEDED
    assert (site.role, site.epoch) == (Role.BACKUP, 2)
    assert (primary_here.role, primary_here.epoch) == (Role.PRIMARY, 2)
    assert "site-b is the primary now" in done.message
    assert not site.swap_in_progress and primary_here.swap_lock is None
    assert kinds() == ["swap_requested", "role_swapped", "swap_succeeded"]
    # The old primary demoted before the new one promoted.
    changes = [p["role"] for m, e, p in primary_here.calls if e == "role/change"]
    assert changes == ["primary"]


def test_become_primary_on_the_backup_swaps_both_roles(backup_here):
    done = swap(backup_here, "primary")
    site = SiteState.load()
    assert done.status == RoleSwap.Status.SUCCEEDED
    assert (site.role, site.epoch) == (Role.PRIMARY, 2)
    assert (backup_here.role, backup_here.epoch) == (Role.BACKUP, 2)
    assert "this site is the primary now" in done.message


def test_sync_first_on_the_primary_signs_users_out_and_waits_for_the_backups_sync(
    primary_here,
):
    SessionStore().create()
    done = swap(primary_here, "backup", sync_first=True)
    assert done.status == RoleSwap.Status.SUCCEEDED
    assert len(primary_here.syncs) == 1
    assert not Session.objects.exists()
    assert "signed_out" in kinds()
    assert not SiteState.load().sign_in_paused


@pytest.mark.django_db(transaction=True)
def test_sync_first_on_the_backup_pulls_a_sync_before_promoting(backup_here):
    def worker_runs_the_sync(task, run_id):
        SyncRun.objects.filter(pk=run_id).update(status=SyncRun.Status.SUCCEEDED)

    with mock.patch.object(dispatch, "enqueue", side_effect=worker_runs_the_sync):
        done = swap(backup_here, "primary", sync_first=True)
    assert done.status == RoleSwap.Status.SUCCEEDED
    assert SyncRun.objects.get().trigger == SyncRun.Trigger.SWAP
    # The current primary was asked to sign its users out.
    assert backup_here.signed_out
    assert SiteState.load().role == Role.PRIMARY


def test_a_failed_sync_first_changes_nothing(primary_here):
    primary_here.sync_outcome = {"status": "failed", "error": "disk full on the backup"}
    done = swap(primary_here, "backup", sync_first=True)
    assert done.status == RoleSwap.Status.FAILED
    assert "disk full on the backup" in done.message
    assert SiteState.load().role == Role.PRIMARY
    assert (primary_here.role, primary_here.epoch) == (Role.BACKUP, 1)
    assert not SiteState.load().swap_in_progress


def test_the_peer_down_cancels_the_swap_and_says_how_to_demote_alone(primary_here):
    primary_here.down()
    done = swap(primary_here, "backup")
    assert done.status == RoleSwap.Status.FAILED
    assert "nothing changed" in done.message
    assert "Become backup even if the peer cannot be contacted" in done.message
    assert (SiteState.load().role, SiteState.load().epoch) == (Role.PRIMARY, 1)


def test_force_demotes_the_primary_alone(primary_here):
    primary_here.down()
    done = swap(primary_here, "backup", force=True)
    site = SiteState.load()
    assert done.status == RoleSwap.Status.SUCCEEDED
    assert (site.role, site.epoch) == (Role.BACKUP, 2)
    assert "Promote 192.0.2.2:8443 by hand" in done.message
    assert "demoted" in kinds()


def test_become_primary_with_the_primary_down_is_cancelled(backup_here):
    backup_here.down()
    done = swap(backup_here, "primary")
    assert done.status == RoleSwap.Status.FAILED
    assert SiteState.load().role == Role.BACKUP


def test_a_peer_refusing_the_lock_changes_nothing(primary_here):
    primary_here.fail("role/lock", PeerRefused("A role swap is in progress.", "busy", 409))
    done = swap(primary_here, "backup")
    assert done.status == RoleSwap.Status.FAILED
    assert "The peer refused the swap" in done.message
    assert SiteState.load().role == Role.PRIMARY


def test_another_version_on_the_peer_cancels_the_swap(primary_here):
    primary_here.version = "0.9.0"
    done = swap(primary_here, "backup")
    assert done.status == RoleSwap.Status.FAILED
    assert "Product version mismatch" in done.message
    assert SiteState.load().role == Role.PRIMARY


def test_both_sites_in_the_same_role_is_left_to_fix_this_error(primary_here):
    primary_here.role = Role.PRIMARY
    done = swap(primary_here, "backup")
    assert done.status == RoleSwap.Status.FAILED
    assert "Fix this error" in done.message


def test_a_peer_that_cannot_be_promoted_leaves_this_site_primary_at_a_higher_epoch(
    primary_here,
):
    def refuse_promotion(payload):
        if payload["role"] == "primary":
            raise PeerUnreachable("connection closed")

    primary_here.on("role/change", refuse_promotion)
    done = swap(primary_here, "backup")
    site = SiteState.load()
    assert done.status == RoleSwap.Status.FAILED
    assert (site.role, site.epoch) == (Role.PRIMARY, 3)
    assert primary_here.role == Role.BACKUP
    assert "could not be promoted" in done.message


def test_a_lost_compare_and_set_is_reported_and_the_peer_takes_the_role_back(backup_here):
    """This site changes (a concurrent role change) between the primary's
    demotion and its own promotion: the swap must not claim success with
    both sites backup."""

    def change_this_site_meanwhile(payload):
        if payload["role"] == "backup":
            SiteState.objects.update(epoch=F("epoch") + 1)

    backup_here.on("role/change", change_this_site_meanwhile)
    done = swap(backup_here, "primary")
    assert done.status == RoleSwap.Status.FAILED
    assert "could not be promoted" in done.message
    assert SiteState.load().role == Role.BACKUP
    assert (backup_here.role, backup_here.epoch) == (Role.PRIMARY, 3)


def test_a_second_swap_is_refused_while_one_holds_the_lock(primary_here):
    with mock.patch.object(dispatch, "enqueue"):
        swap_request.request_swap("backup", sync_first=False, force=False, actor="alice")
        with pytest.raises(Refused, match="A role swap is in progress") as refused:
            swap_request.request_swap("backup", sync_first=False, force=False, actor="bob")
    assert refused.value.status == 409


@pytest.mark.parametrize(
    "role,message",
    [("primary", "already the primary"), ("nobody", "must be primary or backup")],
)
def test_bad_requests_are_refused_and_change_nothing(primary_here, role, message):
    with mock.patch.object(dispatch, "enqueue") as queued, pytest.raises(Refused, match=message):
        swap_request.request_swap(role, sync_first=False, force=False, actor="alice")
    assert not queued.called
    assert not SiteState.load().swap_in_progress
    assert not RoleSwap.objects.exists()


def test_force_is_refused_for_become_primary(backup_here):
    with pytest.raises(Refused, match="Only the primary"):
        swap_request.request_swap("primary", sync_first=False, force=True, actor="alice")


def test_a_standalone_site_cannot_swap(db):
    with pytest.raises(Refused, match="no failover relationship"):
        swap_request.request_swap("backup", sync_first=False, force=False, actor="alice")
