import sys

from failover.cli import cli_actor, form_error
from failover.forms import InterSiteKeyForm
from failover.models import InterSiteKey
from failover.services import configuration


def register(subparsers):
    parser = subparsers.add_parser(
        "set-key", help="Set the inter-site key, read from standard input."
    )
    parser.set_defaults(handler=run)


def run(options, out):
    form = InterSiteKeyForm({"key": sys.stdin.read().strip()})
    if not form.is_valid():
        raise form_error(form, {"key": "key"})
    configuration.set_inter_site_key(form.cleaned_data["key"], cli_actor())
    out.write("Inter-site key saved.")
    if InterSiteKey.from_environment():
        out.write("Note: FAILOVER_INTER_SITE_KEY is set in the environment and overrides it.")
