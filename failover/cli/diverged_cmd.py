import json
from pathlib import Path

from django.core.management.base import CommandError

from failover.cli import cli_actor
from failover.models import DivergedCopy
from failover.services import diverged, diverged_archive
from failover.shapes import diverged_json


def register(subparsers):
    parser = subparsers.add_parser(
        "diverged", help="Data this site had to replace after it was primary, kept aside."
    )
    commands = parser.add_subparsers(dest="diverged_command", required=True, metavar="ACTION")
    listing = commands.add_parser("list", help="The diverged copies, newest first.")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_list)
    export = commands.add_parser("export", help="Write a copy as a .tar.gz.")
    export.add_argument("id")
    export.add_argument("--output", required=True, metavar="FILE.tar.gz")
    export.set_defaults(handler=run_export)
    delete = commands.add_parser("delete", help="Delete a copy.")
    delete.add_argument("id")
    delete.set_defaults(handler=run_delete)


def run_list(options, out):
    copies = [diverged_json(copy) for copy in DivergedCopy.objects.all()]
    if options["json"]:
        out.write(json.dumps(copies, indent=2))
        return
    if not copies:
        out.write("No diverged copies.")
    for c in copies:
        out.write(
            f"#{c['id']}  {c['created']}  epoch {c['epoch']}  +{c['files_added']} "
            f"~{c['files_changed']} -{c['files_deleted']} files, {c['bytes']} bytes, "
            f"{c['rows']} rows  {c['reason']}"
        )


def run_export(options, out):
    copy = diverged.get(options["id"])
    output = Path(options["output"])
    if not output.parent.is_dir():
        raise CommandError(f"--output: no such folder: {output.parent}")
    try:
        diverged_archive.write(copy, output)
    except OSError as e:
        output.unlink(missing_ok=True)
        raise CommandError(f"could not write {output}: {e.strerror}") from None
    out.write(f"Diverged copy #{copy.pk} written to {output}.")


def run_delete(options, out):
    diverged.delete(options["id"], cli_actor())
    out.write(f"Diverged copy #{options['id']} deleted.")
