"""The JSON API (``/api/v1/``): the same status, checks and actions as the
page and the command line, for monitoring and automation."""

import json
from functools import wraps

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from failover.access import api_auth
from failover.domain.health import site_problems
from failover.domain.history_filter import parse_history_filter
from failover.domain.validation import parse_row_id
from failover.errors import Refused
from failover.forms import BecomeForm, PairingForm
from failover.models import (
    InterSiteKey,
    PeerStatus,
    QueueHeartbeat,
    SiteState,
    StatusEvent,
    WitnessLink,
)
from failover.services import breaking, conflicts, pairing, swap_request, syncing
from failover.shapes import event_json, site_status


def refusals_as_json(view):
    """A refused operation answers JSON with its status (409, 502...) and reason."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as e:
            return error(str(e), e.status, code=e.code)

    return wrapper


def error(message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _json_body(request) -> dict | None:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def form_errors(form) -> JsonResponse:
    fields = {name: " ".join(errors) for name, errors in form.errors.items()}
    return error("; ".join(f"{name}: {text}" for name, text in fields.items()), 400, fields=fields)


@require_GET
@api_auth
def failover_status(request):
    return JsonResponse(site_status())


@require_GET
@api_auth
def health(request):
    site = SiteState.load()
    peer = PeerStatus.load()
    problems = site_problems(
        in_relationship=site.in_relationship,
        key_set=bool(InterSiteKey.current()),
        health_worker_alive=QueueHeartbeat.queue_alive("health"),
        peer_reachable=peer.reachable if site.in_relationship else None,
        conflict=peer.in_conflict_with(site),
        witness_reachable=_witness_reachable(),
        stepped_down=site.stepped_down,
    )
    body = {"healthy": not problems, "role": site.role, "problems": problems}
    return JsonResponse(body, status=503 if problems else 200)


def _witness_reachable() -> bool | None:
    link = WitnessLink.load()
    return link.reachable if link.configured else None


@require_POST
@api_auth(change=True)
@refusals_as_json
def pair(request):
    body = _json_body(request)
    if body is None:
        return error("The request body must be a JSON object.", 400)
    form = PairingForm(body)
    if not form.is_valid():
        return form_errors(form)
    message = pairing.pair_with_backup(**form.cleaned_data, actor=request.user)
    return JsonResponse({"message": message, "status": site_status()})


@require_POST
@api_auth(change=True)
@refusals_as_json
def break_relationship(request):
    outcome = breaking.break_relationship(request.user)
    return JsonResponse({"message": outcome.message, "peer_told": outcome.peer_told})


@require_GET
@api_auth
def events(request):
    """The status history, newest first: ``?limit=`` (1-500), ``?before=ID``,
    and the history filter: ``kind`` (repeatable), ``actor``, ``since``,
    ``until``, ``q``."""
    try:
        limit = parse_row_id(request.GET.get("limit", 50))
        before = parse_row_id(request.GET["before"]) if request.GET.get("before") else None
    except ValueError:
        return error("limit and before must be whole numbers.", 400)
    if not 1 <= limit <= 500:
        return error("limit must be from 1 to 500.", 400)
    try:
        wanted = parse_history_filter(request.GET, timezone.get_current_timezone())
    except ValueError as e:
        return error(str(e), 400)
    page = StatusEvent.page(before=before, size=limit, wanted=wanted)
    return JsonResponse(
        {
            "events": [event_json(event) for event in page],
            "next_before": page[-1].pk if len(page) == limit else None,
        }
    )


@require_POST
@api_auth(change=True)
@refusals_as_json
def sync_now(request):
    started = syncing.sync_now(request.user)
    return JsonResponse(
        {
            "message": started.message,
            "run_id": started.run_id,
            "on_this_site": started.on_this_site,
        },
        status=202,
    )


@require_POST
@api_auth(change=True)
@refusals_as_json
def become(request):
    """``{"role": "primary"|"backup", "sync_first": bool, "force": bool}``: 202 with
    the swap's id; follow it in GET /api/v1/failover (``swap``)."""
    body = _json_body(request)
    if body is None:
        return error("The request body must be a JSON object.", 400)
    form = BecomeForm(body)
    if not form.is_valid() or body.get("role") not in ("primary", "backup"):
        return error(
            'Send {"role": "primary" or "backup", "sync_first": true/false, "force": true/false}.',
            400,
        )
    swap = swap_request.request_swap(body["role"], actor=request.user, **form.cleaned_data)
    return JsonResponse(
        {"swap_id": str(swap.id), "message": f"Role swap started: {swap.describe()}."}, status=202
    )


@require_POST
@api_auth(change=True)
@refusals_as_json
def fix_conflict(request):
    message = conflicts.fix_conflict(request.user)
    return JsonResponse({"message": message, "status": site_status()})
