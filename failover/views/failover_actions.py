"""The Failover page's actions: pairing, and (with later machinery) sync, swap, break."""

from django.views.decorators.http import require_POST

from failover.access import staff_required
from failover.forms import PairingForm
from failover.views.failover_page import render_page


@require_POST
@staff_required
def pair(request):
    form = PairingForm(request.POST)
    if form.is_valid():
        form.add_error(
            None, "Pairing is not available in this version: the peer link is not installed."
        )
    return render_page(request, pairing_form=form, status=400)
