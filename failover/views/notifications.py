"""Management > Notifications: recipients, webhook, topics, and deliveries."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from failover.access import manager_required, staff_required
from failover.forms import NotificationSettingsForm
from failover.models import NotificationDelivery, NotificationSettings
from failover.services import configuration, notifications

SHOWN_DELIVERIES = 100


def _render(request, form=None, status=200):
    config = NotificationSettings.load()
    return render(
        request,
        "management/notifications.html",
        {
            "tab": "notifications",
            "form": form or NotificationSettingsForm(instance=config),
            "has_secret": bool(config.webhook_secret),
            "deliveries": NotificationDelivery.objects.all()[:SHOWN_DELIVERIES],
        },
        status=status,
    )


def _show_secret_once(request, secret: str, what: str) -> None:
    messages.warning(
        request, f"{what}: {secret} — copy it to the receiver now; it will not be shown again."
    )


@require_GET
@staff_required
def notifications_tab(request):
    return _render(request)


@require_POST
@manager_required
def save(request):
    form = NotificationSettingsForm(request.POST, instance=NotificationSettings.load())
    if not form.is_valid():
        return _render(request, form, status=400)
    changed, secret = configuration.save_notification_settings(form, request.user)
    if secret:
        _show_secret_once(request, secret, "Webhook secret")
    if changed:
        messages.success(request, "Notification settings saved.")
    else:
        messages.info(request, "Notification settings unchanged.")
    return redirect("notifications")


@require_POST
@manager_required
def new_secret(request):
    _show_secret_once(
        request, configuration.replace_webhook_secret(request.user), "New webhook secret"
    )
    return redirect("notifications")


@require_POST
@manager_required
def send_test(request):
    config = NotificationSettings.load()
    if not (config.emails or config.webhook_url):
        messages.error(request, "Add an e-mail recipient or a webhook URL first.")
        return _render(request, status=409)
    notifications.send_test(request.user)
    messages.success(request, "Test notification queued; its deliveries appear below.")
    return redirect("notifications")
