"""The Failover page's actions. Each calls the same service as the command
line and the API; refusals come back next to the form or as a message."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from failover.access import staff_required
from failover.forms import PairingForm
from failover.services import breaking, pairing, syncing
from failover.views.failover_page import render_page


@require_POST
@staff_required
def pair(request):
    form = PairingForm(request.POST)
    if not form.is_valid():
        return render_page(request, pairing_form=form, status=400)
    try:
        message = pairing.pair_with_backup(**form.cleaned_data, actor=request.user)
    except pairing.PairingError as e:
        form.add_error(None, str(e))
        return render_page(request, pairing_form=form, status=e.status)
    messages.success(request, message)
    return redirect("failover")


def _refused(request, message: str, status: int):
    """The page again, with why the action was refused, and nothing changed."""
    messages.error(request, message)
    return render_page(request, status=status)


@require_POST
@staff_required
def break_relationship(request):
    try:
        outcome = breaking.break_relationship(request.user)
    except breaking.BreakError as e:
        return _refused(request, str(e), e.status)
    level = messages.SUCCESS if outcome.peer_told else messages.WARNING
    messages.add_message(request, level, outcome.message)
    return redirect("failover")


@require_POST
@staff_required
def sync_now(request):
    try:
        started = syncing.sync_now(request.user)
    except syncing.SyncRefused as e:
        return _refused(request, str(e), e.status)
    messages.success(request, started.message)
    return redirect("failover")
