from django.core.management.base import BaseCommand, CommandError

from failover.cli import (
    diverged_cmd,
    history_cmd,
    key_cmd,
    pairing_cmd,
    roles_cmd,
    settings_cmd,
    shared_ip_cmd,
    status_cmd,
    sync_cmd,
    witness_cmd,
)
from failover.errors import Refused

SUBCOMMANDS = (
    status_cmd,
    pairing_cmd,
    sync_cmd,
    roles_cmd,
    settings_cmd,
    shared_ip_cmd,
    key_cmd,
    history_cmd,
    diverged_cmd,
    witness_cmd,
)


class Command(BaseCommand):
    help = "Inspect and operate this site's failover relationship."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
        for module in SUBCOMMANDS:
            module.register(subparsers)

    def handle(self, *args, **options):
        try:
            options["handler"](options, self.stdout)
        except Refused as e:
            # Exit non-zero with the same one-line reason the page shows.
            raise CommandError(str(e)) from None
