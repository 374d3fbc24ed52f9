import json

from failover.cli import cli_actor, form_error
from failover.forms import SharedIPForm
from failover.services import configuration
from failover.shapes import shared_ip_json


def register(subparsers):
    parser = subparsers.add_parser("shared-ip", help="List and choose failover IPs.")
    actions = parser.add_subparsers(
        dest="shared_ip_action", required=True, metavar="list|add|remove|check|uncheck"
    )
    listing = actions.add_parser("list", help="This host's addresses and the failover IPs.")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_addresses)
    add = actions.add_parser("add", help="Add a failover address.")
    add.add_argument("address", metavar="ADDR/PREFIX")
    add.add_argument("--interface", required=True, metavar="IF")
    add.set_defaults(handler=add_address)
    for name, handler, help_text in (
        ("remove", remove_address, "Remove an address from the list."),
        ("check", check_address, "Make an address a failover IP."),
        ("uncheck", uncheck_address, "Make an address no longer a failover IP."),
    ):
        sub = actions.add_parser(name, help=help_text)
        sub.add_argument("address", metavar="ADDR")
        sub.set_defaults(handler=handler)


def list_addresses(options, out):
    rows, error = configuration.known_addresses()
    if options["json"]:
        out.write(json.dumps([shared_ip_json(ip) for ip in rows], indent=2))
        return
    for ip in rows:
        mark = "[x]" if ip.is_failover else "[ ]"
        state = ip.get_state_display() if ip.pk else "on this host"
        out.write(f"{mark} {ip.cidr:<40} {ip.interface:<15} {state}")
    if error:
        out.write(error)


def add_address(options, out):
    form = SharedIPForm({"address": options["address"], "interface": options["interface"]})
    if not form.is_valid():
        raise form_error(form, {"address": "ADDR/PREFIX", "interface": "--interface"})
    address, prefix = form.cleaned_data["address"]
    configuration.add_shared_ip(address, prefix, form.cleaned_data["interface"], cli_actor())
    out.write(f"Failover IP {address}/{prefix} added.")


def remove_address(options, out):
    configuration.remove_shared_ip(options["address"], cli_actor())
    out.write(f"{options['address']} removed.")


def _set_failover(options, out, failover: bool):
    address = options["address"]
    checked = {address} if failover else set()
    changes = configuration.set_failover_ips(checked, cli_actor(), only={address})
    out.write("; ".join(changes) if changes else f"{address}: unchanged.")


def check_address(options, out):
    _set_failover(options, out, True)


def uncheck_address(options, out):
    _set_failover(options, out, False)
