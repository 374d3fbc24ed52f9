"""Adding and removing the witness from the Failover page; invalid input
re-renders the page with the error next to its field and changes nothing."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from failover.access import manager_required
from failover.errors import Refused
from failover.forms import WitnessForm
from failover.services import witness_setup
from failover.views.failover_page import render_page


@require_POST
@manager_required
def add_witness(request):
    form = WitnessForm(request.POST)
    if not form.is_valid():
        return render_page(request, witness_form=form, status=400)
    data = form.cleaned_data
    try:
        message = witness_setup.add_witness(
            data["host"], data["port"], request.user, this_site_only=data["this_site_only"]
        )
    except Refused as e:
        form.add_error(None, str(e))
        return render_page(request, witness_form=form, status=e.status)
    messages.success(request, message)
    return redirect("/management/failover/#witness")


@require_POST
@manager_required
def remove_witness(request):
    try:
        message = witness_setup.remove_witness(
            request.user, this_site_only=bool(request.POST.get("this_site_only"))
        )
    except Refused as e:
        messages.error(request, str(e))
    else:
        messages.success(request, message)
    return redirect("/management/failover/#witness")
