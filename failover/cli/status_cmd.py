import json

from failover.shapes import site_status


def register(subparsers):
    parser = subparsers.add_parser("status", help="Show this site's failover state.")
    parser.add_argument("--json", action="store_true", help="Print one JSON object.")
    parser.set_defaults(handler=run)


REACHABLE = {True: "reachable", False: "unreachable", None: "not checked yet"}


def run(options, out):
    status = site_status()
    if options["json"]:
        out.write(json.dumps(status, indent=2))
        return
    out.write(f"Host name:   {status['hostname']}")
    out.write(f"Version:     {status['version']}")
    out.write(f"Role:        {status['role']} (epoch {status['epoch']})")
    peer = status["peer"]
    if peer:
        out.write(
            f"Peer:        {peer['hostname'] or '?'} at {peer['host']}:{peer['port']}, "
            f"role {peer['role'] or 'unknown'}, {REACHABLE[peer['reachable']]}"
            f" (last check {peer['last_check'] or 'never'})"
        )
    else:
        out.write("Peer:        none (standalone)")
    witness = status["witness"]
    if witness:
        out.write(
            f"Witness:     {witness['host']}:{witness['port']}, {REACHABLE[witness['reachable']]}"
            f" (last check {witness['last_check'] or 'never'})"
        )
    if status["stepped_down"]:
        out.write("Stepped down: cut off from peer and witness; failover IPs down")
    out.write(f"Failover IPs: {', '.join(status['enabled_shared_ips']) or 'none'}")
    out.write(
        f"Last sync:   {status['last_data_sync_status'] or 'never'}"
        f"{' at ' + status['last_data_sync_time'] if status['last_data_sync_time'] else ''}"
    )
    out.write(f"Last 24 h:   {status['availability']['summary']}")
