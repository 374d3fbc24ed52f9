"""The witness's peer endpoints (``/api/peer/v1/witness/...``), signed like
every peer call: a pair's sites call ``heartbeat`` and ``grant`` on their
witness, and the primary calls ``configure`` on its backup."""

import json

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from failover.models import PeerStatus
from failover.peer.server import peer_endpoint
from failover.services import witness_serving, witness_setup


def _json_body(request):
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return None


@require_POST
@peer_endpoint(any_sender=True)
def heartbeat(request):
    return JsonResponse(
        witness_serving.heartbeat(_json_body(request), request.peer.site_id, request.peer.local)
    )


@require_POST
@peer_endpoint(any_sender=True)
def grant(request):
    return JsonResponse(
        witness_serving.grant(_json_body(request), request.peer.site_id, request.peer.local)
    )


@require_POST
@peer_endpoint
def configure(request):
    """The primary added or removed the witness: do the same here."""
    sender = PeerStatus.load().hostname or "the peer"
    return JsonResponse(witness_setup.accept_configure(_json_body(request), sender))
