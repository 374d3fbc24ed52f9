import json

from failover.cli import cli_actor, form_error
from failover.forms import BackupSettingsForm
from failover.models import BackupSettings
from failover.services.configuration import save_backup_settings
from failover.shapes import backup_settings_json

OPTION_NAMES = {
    "backup_operations_enabled": "--backup-operations",
    "primary_timeout": "--primary-timeout",
    "sync_interval": "--sync-interval",
    "bandwidth_limit": "--bandwidth-limit",
    "auto_failover_enabled": "--auto-failover",
    "continuous_sync": "--continuous-sync",
    "keep_diverged": "--keep-diverged",
    "test_ips": "--test-ip",
}
ON_OFF = {"on": True, "off": False}
CHANGE_OPTIONS = (
    "backup_operations",
    "primary_timeout",
    "sync_interval",
    "bandwidth_limit",
    "auto_failover",
    "continuous_sync",
    "keep_diverged",
    "test_ip",
    "clear_test_ips",
)


def register(subparsers):
    parser = subparsers.add_parser(
        "settings", help="Show the backup settings as JSON, or change them."
    )
    parser.add_argument("--backup-operations", choices=ON_OFF)
    parser.add_argument("--primary-timeout", metavar="SECONDS")
    parser.add_argument("--sync-interval", metavar="MINUTES")
    parser.add_argument("--bandwidth-limit", metavar="MBITS")
    parser.add_argument("--auto-failover", choices=ON_OFF)
    parser.add_argument("--continuous-sync", choices=ON_OFF)
    parser.add_argument("--keep-diverged", metavar="N", help="Diverged copies to keep.")
    parser.add_argument(
        "--test-ip",
        action="append",
        default=[],
        metavar="ADDR",
        help="Add a connectivity test address (repeatable).",
    )
    parser.add_argument(
        "--clear-test-ips",
        action="store_true",
        help="Remove every test address (before adding --test-ip ones).",
    )
    parser.set_defaults(handler=run)


def _form_data(current: BackupSettings, options) -> dict:
    """The form as the page would post it: current values, overridden by options."""
    data = {}
    for field in ("primary_timeout", "sync_interval", "bandwidth_limit", "keep_diverged"):
        data[field] = options[field] if options[field] is not None else getattr(current, field)
    for field, option in (
        ("backup_operations_enabled", "backup_operations"),
        ("auto_failover_enabled", "auto_failover"),
        ("continuous_sync", "continuous_sync"),
    ):
        enabled = ON_OFF[options[option]] if options[option] else getattr(current, field)
        if enabled:  # an unchecked checkbox is simply absent from a post
            data[field] = "on"
    test_ips = [] if options["clear_test_ips"] else list(current.test_ips)
    data["test_ips"] = "\n".join(test_ips + options["test_ip"])
    return data


def run(options, out):
    current = BackupSettings.load()
    if any(options[name] for name in CHANGE_OPTIONS):
        form = BackupSettingsForm(_form_data(current, options), instance=current)
        if not form.is_valid():
            raise form_error(form, OPTION_NAMES)
        save_backup_settings(form, cli_actor())
        current = BackupSettings.load()
    out.write(json.dumps(backup_settings_json(current), indent=2))
