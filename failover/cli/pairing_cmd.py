from failover.cli import cli_actor, form_error
from failover.forms import PairingForm
from failover.services import breaking, pairing


def register(subparsers):
    pair = subparsers.add_parser(
        "pair", help="Make this site the primary of a new pair with the given backup."
    )
    pair.add_argument("--backup-host", required=True, metavar="H")
    pair.add_argument("--backup-port", required=True, metavar="P")
    pair.add_argument(
        "--reverse-host", required=True, metavar="H", help="How the backup reaches this site."
    )
    pair.add_argument("--reverse-port", required=True, metavar="P")
    pair.set_defaults(handler=run_pair)
    unpair = subparsers.add_parser("break", help="Break the failover relationship.")
    unpair.set_defaults(handler=run_break)


def run_pair(options, out):
    fields = ("backup_host", "backup_port", "reverse_host", "reverse_port")
    form = PairingForm({name: options[name] for name in fields})
    if not form.is_valid():
        raise form_error(form, {name: "--" + name.replace("_", "-") for name in fields})
    out.write(pairing.pair_with_backup(**form.cleaned_data, actor=cli_actor()))


def run_break(options, out):
    outcome = breaking.break_relationship(cli_actor())
    out.write(outcome.message)
