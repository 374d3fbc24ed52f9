"""The peer API views (``/api/peer/v1/``); see the package docstring."""

import json

from django.http import JsonResponse
from django.views.decorators.http import require_GET, require_POST

from failover.models import PeerStatus
from failover.peer.server import peer_endpoint, peer_error
from failover.peer.status import status_report
from failover.services import breaking, pairing


def _json_body(request):
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return None


@require_GET
@peer_endpoint
def status(request):
    return JsonResponse(status_report())


@require_POST
@peer_endpoint(any_sender=True)
def pair(request):
    try:
        return JsonResponse(pairing.accept_pairing(_json_body(request), request.peer.site_id))
    except pairing.PairingError as e:
        return peer_error(e.code, str(e), e.status)


@require_POST
@peer_endpoint
def unpair(request):
    try:
        breaking.accept_unpair(_json_body(request), PeerStatus.load().hostname or "The peer")
    except breaking.BreakError as e:
        return peer_error("not_in_relationship", str(e), e.status)
    return JsonResponse({"role": "none"})
