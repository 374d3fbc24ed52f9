"""The peer API views (``/api/peer/v1/``): the other site's requests, signed
and authenticated by ``peer_endpoint``; the protocol is described in
``failover/peer/__init__.py``. The sync endpoints live in
``failover/sync/serving.py``."""

import json

from django.http import JsonResponse
from django.views.decorators.http import require_GET, require_POST

from failover.models import PeerStatus
from failover.peer.server import peer_endpoint
from failover.services import breaking, conflicts, continuous, pairing, swap_answers, syncing
from failover.shapes import status_report


def _json_body(request):
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return None


def _peer_name() -> str:
    return PeerStatus.load().hostname or "the peer"


@require_GET
@peer_endpoint(unbound=True)
def status(request):
    report = status_report(request.peer.local)
    if request.GET.get("detail") == "conflict":
        report["contender"] = conflicts.contender_report()
    return JsonResponse(report)


@require_POST
@peer_endpoint
def role_lock(request):
    site = swap_answers.accept_lock(_json_body(request), _peer_name())
    return JsonResponse(status_report(site))


@require_POST
@peer_endpoint
def role_unlock(request):
    swap_answers.accept_unlock(_json_body(request))
    return JsonResponse({"unlocked": True})


@require_POST
@peer_endpoint
def role_change(request):
    site = swap_answers.accept_role_change(_json_body(request), _peer_name())
    return JsonResponse(status_report(site))


@require_POST
@peer_endpoint(any_sender=True)
def pair(request):
    return JsonResponse(pairing.accept_pairing(_json_body(request), request.peer.site_id))


@require_POST
@peer_endpoint
def request_sync(request):
    """The primary's Sync now: start a sync here, on the backup."""
    run = syncing.accept_sync_request(_json_body(request), _peer_name())
    return JsonResponse({"run_id": run.pk})


@require_POST
@peer_endpoint
def sync_pending(request):
    """The primary has changes: a continuous sync here, on the backup."""
    return JsonResponse(continuous.accept_pending(_json_body(request)))


@require_POST
@peer_endpoint
def unpair(request):
    breaking.accept_unpair(_json_body(request), _peer_name())
    return JsonResponse({"role": "none"})
