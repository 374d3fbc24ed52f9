from django.core.management.base import CommandError
from django.http import QueryDict
from django.utils import timezone

from failover import exports
from failover.domain.history_filter import parse_history_filter


def register(subparsers):
    parser = subparsers.add_parser(
        "history", help="Export the status history (oldest first) to standard output."
    )
    parser.add_argument("--kind", action="append", default=[], help="An event kind (repeatable).")
    parser.add_argument("--actor", default="", help="Only events caused by this user or 'system'.")
    parser.add_argument("--since", default="", metavar="TIME", help="ISO date or date and time.")
    parser.add_argument("--until", default="", metavar="TIME", help="ISO date or date and time.")
    parser.add_argument("--q", default="", metavar="TEXT", help="Text the message contains.")
    parser.add_argument("--format", choices=exports.FORMATS, default="csv")
    parser.set_defaults(handler=run)


def run(options, out):
    query = QueryDict(mutable=True)
    query.setlist("kind", options["kind"])
    for name in ("actor", "since", "until", "q"):
        query[name] = options[name]
    try:
        wanted = parse_history_filter(query, timezone.get_current_timezone())
    except ValueError as e:
        raise CommandError(str(e)) from None
    for chunk in exports.export(wanted, options["format"]):
        out.write(chunk, ending="")
