"""Management > Security: the inter-site key and API tokens."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from failover.access import manager_required, staff_required
from failover.forms import ApiTokenForm, InterSiteKeyForm
from failover.models import ApiToken, InterSiteKey
from failover.services import configuration


def _render(request, *, key_form=None, token_form=None, status=200):
    stored = InterSiteKey.load()
    return render(
        request,
        "management/security.html",
        {
            "tab": "security",
            "key_from_environment": InterSiteKey.from_environment(),
            "masked_key": InterSiteKey.masked(InterSiteKey.current()),
            "key_updated": stored,
            "key_form": key_form or InterSiteKeyForm(),
            "token_form": token_form or ApiTokenForm(),
            "tokens": ApiToken.objects.filter(user=request.user),
        },
        status=status,
    )


@require_GET
@staff_required
def security(request):
    return _render(request)


@require_POST
@manager_required
def set_key(request):
    form = InterSiteKeyForm(request.POST)
    if not form.is_valid():
        return _render(request, key_form=form, status=400)
    configuration.set_inter_site_key(form.cleaned_data["key"], request.user)
    messages.success(request, "Inter-site key saved. Set the same key on the peer site.")
    return redirect("security")


@require_POST
@manager_required
def generate_key(request):
    key = InterSiteKey.generate()
    configuration.set_inter_site_key(key, request.user)
    # Shown in full this once, so it can be copied to the peer site.
    messages.success(
        request,
        f"New inter-site key: {key} — copy it to the peer site now; it will not be shown again.",
    )
    return redirect("security")


@require_POST
@manager_required
def create_token(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render(request, token_form=form, status=400)
    name = form.cleaned_data["name"]
    plain = configuration.issue_api_token(request.user, name)
    messages.success(
        request, f"API token {name!r}: {plain} — copy it now; it will not be shown again."
    )
    return redirect("security")


@require_POST
@manager_required
def delete_token(request, token_id: int):
    if configuration.delete_api_token(request.user, token_id):
        messages.success(request, "API token deleted.")
    else:
        messages.error(request, "No such API token.")
    return redirect("security")
