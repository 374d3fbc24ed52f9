"""Saving the Failover page's per-site configuration: backup settings and
shared IPs. Invalid input re-renders the page with the error next to its field
and changes nothing."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from failover.access import manager_required
from failover.forms import BackupSettingsForm, SharedIPForm
from failover.models import BackupSettings
from failover.services import configuration
from failover.views.failover_page import render_page


def _back_to(section: str):
    return redirect(f"/management/failover/#{section}")


@require_POST
@manager_required
def save_backup_settings(request):
    form = BackupSettingsForm(request.POST, instance=BackupSettings.load())
    if not form.is_valid():
        return render_page(request, settings_form=form, status=400)
    if configuration.save_backup_settings(form, request.user):
        messages.success(request, "Backup settings saved.")
    else:
        messages.info(request, "Backup settings unchanged.")
    return _back_to("backup-settings")


@require_POST
@manager_required
def save_failover_ips(request):
    """The checkbox list: the checked addresses become failover IPs."""
    checked = set(request.POST.getlist("failover"))
    listed = set(request.POST.getlist("listed"))
    try:
        changes = configuration.set_failover_ips(checked, request.user, only=listed)
    except configuration.SharedIPError as e:
        return render_page(request, shared_ip_error=str(e), status=400)
    messages.success(request, "Failover IPs saved." if changes else "Failover IPs unchanged.")
    return _back_to("shared-ips")


@require_POST
@manager_required
def add_shared_ip(request):
    form = SharedIPForm(request.POST)
    if not form.is_valid():
        return render_page(request, shared_ip_form=form, status=400)
    address, prefix = form.cleaned_data["address"]
    try:
        configuration.add_shared_ip(address, prefix, form.cleaned_data["interface"], request.user)
    except configuration.SharedIPError as e:
        form.add_error("address", str(e))
        return render_page(request, shared_ip_form=form, status=400)
    messages.success(request, f"Failover IP {address}/{prefix} added.")
    return _back_to("shared-ips")


@require_POST
@manager_required
def remove_shared_ip(request):
    try:
        configuration.remove_shared_ip(request.POST.get("address", ""), request.user)
    except configuration.SharedIPError as e:
        return render_page(request, shared_ip_error=str(e), status=400)
    messages.success(request, "Shared IP removed.")
    return _back_to("shared-ips")
