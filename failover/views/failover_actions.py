"""The Failover page's actions. Each calls the same service as the command
line and the API; a refusal (409 while a role swap is in progress, for
example) comes back on the page with the reason, and changed nothing."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from failover.access import manager_required
from failover.errors import Refused
from failover.forms import BecomeForm, PairingForm
from failover.models import SiteState
from failover.services import breaking, conflicts, pairing, swap_request, syncing
from failover.views.failover_page import render_page


def _refused(request, message: str, status: int):
    """The page again, with why the action was refused, and nothing changed."""
    messages.error(request, message)
    return render_page(request, status=status)


def refusals_on_the_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as e:
            return _refused(request, str(e), e.status)

    return wrapper


@require_POST
@manager_required
def pair(request):
    form = PairingForm(request.POST)
    if not form.is_valid():
        return render_page(request, pairing_form=form, status=400)
    try:
        message = pairing.pair_with_backup(**form.cleaned_data, actor=request.user)
    except Refused as e:
        form.add_error(None, str(e))
        return render_page(request, pairing_form=form, status=e.status)
    messages.success(request, message)
    return redirect("failover")


@require_POST
@manager_required
@refusals_on_the_page
def break_relationship(request):
    outcome = breaking.break_relationship(request.user)
    level = messages.SUCCESS if outcome.peer_told else messages.WARNING
    messages.add_message(request, level, outcome.message)
    return redirect("failover")


@require_POST
@manager_required
@refusals_on_the_page
def sync_now(request):
    started = syncing.sync_now(request.user)
    messages.success(request, started.message)
    return redirect("failover")


@require_POST
@manager_required
@refusals_on_the_page
def become(request):
    """Become backup on the primary, Become primary on the backup."""
    form = BecomeForm(request.POST)
    if not form.is_valid():
        return _refused(request, "Invalid options.", 400)
    site = SiteState.load()
    target = "backup" if site.is_primary else "primary"
    swap = swap_request.request_swap(target, actor=request.user, **form.cleaned_data)
    messages.info(request, f"Role swap started: {swap.describe()}.")
    return redirect("failover")


@require_POST
@manager_required
@refusals_on_the_page
def fix_conflict(request):
    message = conflicts.fix_conflict(request.user)
    messages.success(request, message)
    return redirect("failover")
