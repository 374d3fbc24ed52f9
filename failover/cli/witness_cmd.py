from failover.cli import cli_actor, form_error
from failover.forms import WitnessForm
from failover.services import witness_setup


def register(subparsers):
    parser = subparsers.add_parser("witness", help="Add or remove this site's witness.")
    actions = parser.add_subparsers(dest="witness_action", required=True, metavar="add|remove")
    add = actions.add_parser(
        "add", help="Use a third site as witness; on the primary, the backup uses it too."
    )
    add.add_argument("--host", required=True, metavar="H")
    add.add_argument("--port", required=True, metavar="P")
    add.add_argument(
        "--this-site-only",
        action="store_true",
        help="Do not tell the backup (each site may reach the witness at its own address).",
    )
    add.set_defaults(handler=add_witness)
    remove = actions.add_parser("remove", help="Stop using the witness.")
    remove.add_argument("--this-site-only", action="store_true")
    remove.set_defaults(handler=remove_witness)


def add_witness(options, out):
    form = WitnessForm(
        {
            "host": options["host"],
            "port": options["port"],
            "this_site_only": options["this_site_only"],
        }
    )
    if not form.is_valid():
        raise form_error(form, {"host": "--host", "port": "--port"})
    data = form.cleaned_data
    out.write(
        witness_setup.add_witness(
            data["host"], data["port"], cli_actor(), this_site_only=data["this_site_only"]
        )
    )


def remove_witness(options, out):
    out.write(witness_setup.remove_witness(cli_actor(), this_site_only=options["this_site_only"]))
