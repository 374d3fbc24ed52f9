"""Authentication of incoming peer requests and signing of the answers."""

import logging
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from failover.domain.event_kinds import EventKind
from failover.errors import Refused
from failover.models import InterSiteKey, SiteState, StatusEvent
from failover.peer import nonces, refusals
from failover.peer.signing import UNBOUND, SignatureError, sign_response, verify_request

log = logging.getLogger(__name__)


def peer_error(code: str, message: str, status: int = 409) -> JsonResponse:
    """A business refusal (signed like any answer): nothing was changed."""
    return JsonResponse({"error": message, "code": code}, status=status)


@dataclass(frozen=True)
class PeerRequest:
    """An authenticated peer request: who sent it, and this site as it was
    when it arrived (so the view and the signed answer need no more queries)."""

    site_id: str
    nonce: str
    key: str
    local: SiteState


def _authenticate(request, any_sender: bool, unbound: bool) -> PeerRequest:
    if not request.is_secure() and not settings.FAILOVER_ALLOW_INSECURE_PEER:
        raise SignatureError(
            "plaintext",
            "Peer requests must use TLS (https); plain HTTP is "
            "refused unless FAILOVER_ALLOW_INSECURE_PEER is set.",
        )
    key = InterSiteKey.current()
    if not key:
        raise SignatureError("no_key", "This site has no inter-site key set.")
    signed = verify_request(
        key,
        request.method,
        request.path,
        request.META.get("QUERY_STRING", ""),
        request.body,
        request.headers,
        time.time(),
    )
    site = SiteState.load()
    if signed.receiver != str(site.site_id) and not (unbound and signed.receiver == UNBOUND):
        raise SignatureError(
            "wrong_receiver", "This request was signed for another site (or for none)."
        )
    if not any_sender and site.in_relationship and signed.site_id != str(site.peer_site_id):
        raise SignatureError(
            "unknown_site", "This site is in a failover relationship with another site."
        )
    if not nonces.remember(signed.nonce):
        raise SignatureError("replayed", "This request was already received (replayed nonce).")
    return PeerRequest(signed.site_id, signed.nonce, key, site)


def _refuse(request, error: SignatureError) -> JsonResponse:
    if refusals.count(error.code):
        source = request.META.get("REMOTE_ADDR", "unknown address")
        log.warning(
            "refused peer request %s %s from %s: %s (further %s refusals within a "
            "minute are counted, not logged)",
            request.method,
            request.path,
            source,
            error,
            error.code,
        )
        StatusEvent.record(
            EventKind.PEER_REQUEST_REFUSED,
            f"Refused a peer request from {source} to {request.path}: {error}",
            cause=error.code,
        )
    return JsonResponse({"error": str(error), "code": error.code}, status=403)


def peer_endpoint(view=None, *, any_sender: bool = False, unbound: bool = False):
    """Only correctly signed, fresh, single-use requests for this site from its
    peer (or, while unpaired or with ``any_sender``, from any site holding the
    key) reach ``view``; with ``unbound``, also requests signed for no site in
    particular (the first status call of a pairing). Its answer, a refusal
    included, is signed."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                request.peer = _authenticate(request, any_sender, unbound)
            except SignatureError as error:
                return _refuse(request, error)
            try:
                response = view(request, *args, **kwargs)
            except Refused as e:
                response = peer_error(e.code, str(e), e.status)
            body = None if response.streaming else response.content
            headers = sign_response(
                request.peer.key,
                request.peer.nonce,
                response.status_code,
                str(request.peer.local.site_id),
                body,
                time.time(),
            )
            for name, value in headers.items():
                response[name] = value
            return response

        return wrapper

    return decorate(view) if view is not None else decorate
