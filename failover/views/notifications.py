"""Management > Notifications: recipients, webhook, topics, and deliveries."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from failover.access import staff_required
from failover.forms import NotificationSettingsForm
from failover.models import NotificationDelivery, NotificationSettings, StatusEvent
from failover.services import notifications

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


@require_GET
@staff_required
def notifications_tab(request):
    return _render(request)


@require_POST
@staff_required
def save(request):
    form = NotificationSettingsForm(request.POST, instance=NotificationSettings.load())
    if not form.is_valid():
        return _render(request, form, status=400)
    if form.has_changed():
        with transaction.atomic():
            config = form.save()
            if config.webhook_url and not config.webhook_secret:
                config.webhook_secret = NotificationSettings.new_secret()
                config.save(update_fields=["webhook_secret"])
                messages.warning(
                    request,
                    f"Webhook secret: {config.webhook_secret} — copy "
                    "it to the receiver now; it will not be shown again.",
                )
            StatusEvent.record(
                "settings_changed",
                f"Notification settings changed: {', '.join(form.changed_data)}.",
                actor=request.user,
            )
        messages.success(request, "Notification settings saved.")
    else:
        messages.info(request, "Notification settings unchanged.")
    return redirect("notifications")


@require_POST
@staff_required
def new_secret(request):
    config = NotificationSettings.load()
    config.webhook_secret = NotificationSettings.new_secret()
    config.save(update_fields=["webhook_secret"])
    StatusEvent.record("settings_changed", "Webhook secret replaced.", actor=request.user)
    messages.warning(
        request,
        f"New webhook secret: {config.webhook_secret} — copy it to the "
        "receiver now; it will not be shown again.",
    )
    return redirect("notifications")


@require_POST
@staff_required
def send_test(request):
    config = NotificationSettings.load()
    if not (config.emails or config.webhook_url):
        messages.error(request, "Add an e-mail recipient or a webhook URL first.")
        return _render(request, status=409)
    notifications.send_test(request.user)
    messages.success(request, "Test notification queued; its deliveries appear below.")
    return redirect("notifications")
