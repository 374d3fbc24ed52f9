"""Forms shared by the pages, the command line and the JSON API, so all three
validate the same way and say the same thing."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from failover.domain import validation
from failover.domain.event_kinds import Topic
from failover.models import BackupSettings, NotificationSettings
from failover.models.backup_settings import MAX_TEST_IPS
from failover.models.keys import MIN_KEY_LENGTH
from failover.netif import destinations


def _as_form_error(check, value):
    try:
        return check(value)
    except ValueError as e:
        raise ValidationError(str(e)) from None


class HostField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=253, **kwargs)

    def clean(self, value):
        return _as_form_error(validation.validate_host, super().clean(value))


class PortField(forms.CharField):
    """A port 1..65535 with the domain's message rather than Django's generic one."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": 1, "max": 65535}))
        super().__init__(**kwargs)

    def clean(self, value):
        return _as_form_error(validation.validate_port, super().clean(value))


class PairingForm(forms.Form):
    backup_host = HostField(label="Backup site host name or IP")
    backup_port = PortField(label="TLS port of the backup site", initial=443)
    reverse_host = HostField(label="This primary site's host name or IP")
    reverse_port = PortField(label="TLS port of this primary site", initial=443)

    def clean(self):
        data = super().clean()
        backup = (data.get("backup_host", "").lower().rstrip("."), data.get("backup_port"))
        reverse = (data.get("reverse_host", "").lower().rstrip("."), data.get("reverse_port"))
        if None not in backup and backup == reverse:
            self.add_error(
                "backup_host",
                "A site cannot pair with itself: the backup's address is this site's own address.",
            )
        return data


class WitnessForm(forms.Form):
    host = HostField(label="Witness host name or IP")
    port = PortField(label="TLS port of the witness", initial=443)
    this_site_only = forms.BooleanField(
        required=False, label="This site only (do not tell the backup; it adds its own)"
    )


class LineListField(forms.CharField):
    """A list typed one item per line (or separated by commas): each item is
    checked by ``clean_item``, duplicates dropped, order kept."""

    widget = forms.Textarea(attrs={"rows": 3})
    max_items: int | None = None
    noun = "items"

    def clean(self, value):
        text = super().clean(value) or ""
        items = [item.strip() for item in text.replace(",", "\n").splitlines() if item.strip()]
        if self.max_items is not None and len(items) > self.max_items:
            raise ValidationError(f"At most {self.max_items} {self.noun}.")
        return list(dict.fromkeys(self.clean_item(item) for item in items))

    def clean_item(self, item: str) -> str:
        return item

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class TestAddressesField(LineListField):
    """Connectivity test addresses, normalised."""

    max_items = MAX_TEST_IPS
    noun = "test addresses"

    def clean_item(self, item: str) -> str:
        return _as_form_error(validation.normalise_test_address, item)


class BackupSettingsForm(forms.ModelForm):
    test_ips = TestAddressesField(
        required=False,
        label="Network connectivity test IPs",
        help_text="One per line. An IP address is pinged; host:port is tried with a TCP "
        "connect. With none, the backup cannot tell whether it is the one cut off.",
    )

    class Meta:
        model = BackupSettings
        fields = [
            "backup_operations_enabled",
            "primary_timeout",
            "sync_interval",
            "bandwidth_limit",
            "auto_failover_enabled",
            "continuous_sync",
            "keep_diverged",
            "test_ips",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bandwidth_limit"].required = False
        self.initial["bandwidth_limit"] = format(
            Decimal(self.initial.get("bandwidth_limit") or 0).normalize(), "f"
        )

    def clean_bandwidth_limit(self):
        return self.cleaned_data.get("bandwidth_limit") or Decimal(0)


class SharedIPForm(forms.Form):
    address = forms.CharField(
        label="Address/prefix",
        max_length=60,
        help_text="For example 192.0.2.10/24 or 2001:db8::10/64.",
    )
    interface = forms.CharField(label="Interface", max_length=15)

    def clean_address(self):
        return _as_form_error(validation.parse_interface_address, self.cleaned_data["address"])

    def clean_interface(self):
        return _as_form_error(validation.validate_interface, self.cleaned_data["interface"])


class InterSiteKeyForm(forms.Form):
    key = forms.CharField(
        label="Inter-site key",
        min_length=MIN_KEY_LENGTH,
        max_length=512,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=f"At least {MIN_KEY_LENGTH} characters; the same key on both sites.",
    )

    def clean_key(self):
        key = self.cleaned_data["key"]
        if any(ch.isspace() for ch in key):
            raise ValidationError("The key must not contain spaces or line breaks.")
        return key


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=100)


class BecomeForm(forms.Form):
    # hx-preserve: the live status refresh must not untick what the admin ticked.
    sync_first = forms.BooleanField(
        required=False,
        label="Pull a data sync from the peer first",
        widget=forms.CheckboxInput(attrs={"hx-preserve": "true"}),
        help_text="The site that becomes primary first pulls a full, fresh sync; meanwhile "
        "users on the current primary are signed out.",
    )
    force = forms.BooleanField(
        required=False,
        label="Become backup even if the peer cannot be contacted",
        widget=forms.CheckboxInput(attrs={"hx-preserve": "true"}),
        help_text="Without it, a swap that cannot keep one primary and one backup is "
        "cancelled and nothing changes.",
    )

    def name_the_peer(self, *, peer: str, becoming: str) -> "BecomeForm":
        """Word the options as the appliance does, naming the peer site
        ("site-b (10.0.0.2)") and the role this site is becoming."""
        self.fields[
            "sync_first"
        ].label = f"Pull a data sync from the site instance at {peer} while becoming the {becoming}"
        self.fields[
            "force"
        ].label = f"Become a backup even if the peer site instance at {peer} cannot be contacted"
        return self


class EmailListField(LineListField):
    """E-mail addresses."""

    def clean_item(self, item: str) -> str:
        try:
            validate_email(item)
        except ValidationError:
            raise ValidationError(f"{item!r} is not a valid e-mail address.") from None
        return item


class NotificationSettingsForm(forms.ModelForm):
    emails = EmailListField(
        required=False,
        label="E-mail recipients",
        help_text="One per line. Sent with the EMAIL_* settings of the environment.",
    )
    webhook_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Webhook URL",
        help_text="Receives a JSON POST signed with the webhook secret "
        "(header X-Failover-Signature).",
    )
    topics = forms.MultipleChoiceField(
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Send notifications for",
    )

    class Meta:
        model = NotificationSettings
        fields = ["emails", "webhook_url", "topics"]

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"]
        why = destinations.refusal(url) if url else ""
        if why:
            raise ValidationError(why)
        return url
