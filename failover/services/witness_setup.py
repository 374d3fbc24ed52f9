"""Adding and removing this site's witness (``failover witness add/remove``
and the Failover page), and the backup's side when the primary tells it."""

from failover.domain import validation
from failover.domain.event_kinds import EventKind
from failover.domain.roles import Role
from failover.errors import Refused
from failover.models import SiteState, StatusEvent, WitnessLink
from failover.peer.client import OPERATION_TIMEOUT, PeerClient, PeerError

NOT_PAIRED = "This site is in no failover relationship: a witness watches a pair."


def _witness_report(site: SiteState, host: str, port: int, connect) -> dict:
    """The witness's own status: reachable, same key, and a third site in
    no relationship."""
    try:
        report = (connect or PeerClient)(host, port, timeout=OPERATION_TIMEOUT).status()
    except PeerError as e:
        raise Refused(f"The witness cannot be used: {e}", 502, "unreachable") from None
    if report["site_id"] in (str(site.site_id), str(site.peer_site_id)):
        raise Refused(
            "The witness must be a third site: that address is this site or its peer.",
            400,
            "invalid",
        )
    if report["role"] != Role.NONE:
        raise Refused(
            f"The witness {report['hostname']} is in a failover relationship; "
            "a witness must be in none.",
            409,
            "not_a_witness",
        )
    return report


def add_witness(host, port, actor, *, this_site_only: bool = False, connect=None, peer=None) -> str:
    """Use the witness at host:port; on the primary, tell the backup too
    (which checks it can reach it at that address) unless ``this_site_only``."""
    try:
        host, port = validation.validate_host(host), validation.validate_port(port)
    except ValueError as e:
        raise Refused(str(e), 400, "invalid") from None
    site = SiteState.load()
    if not site.in_relationship:
        raise Refused(NOT_PAIRED, 409, "not_in_relationship")
    report = _witness_report(site, host, port, connect)
    told = site.is_primary and not this_site_only
    if told:
        try:
            (peer or PeerClient.for_peer(site)).call(
                "POST", "witness/configure", payload={"host": host, "port": port}
            )
        except PeerError as e:
            raise Refused(
                f"The backup could not take the witness: {e} Nothing changed; add it "
                "with --this-site-only on each site, with the address each reaches it at.",
                502,
                "peer_refused",
            ) from None
    WitnessLink.configure(host, port, report["site_id"], report["hostname"])
    message = f"Witness {report['hostname']} at {WitnessLink.load().address} added" + (
        "; the backup uses it too." if told else " on this site."
    )
    StatusEvent.record(EventKind.WITNESS_CHANGED, message, actor=actor)
    return message


def remove_witness(actor, *, this_site_only: bool = False, peer=None) -> str:
    site = SiteState.load()
    link = WitnessLink.load()
    if not link.configured:
        raise Refused("This site has no witness.", 409, "no_witness")
    note = ""
    if site.is_primary and not this_site_only:
        try:
            (peer or PeerClient.for_peer(site)).call(
                "POST", "witness/configure", payload={"host": None}
            )
            note = "; the backup no longer uses it either"
        except PeerError as e:
            note = f"; the backup could not be told ({e}): run `failover witness remove` there"
    WitnessLink.remove()
    message = f"Witness {link.hostname or link.address} removed{note}."
    StatusEvent.record(EventKind.WITNESS_CHANGED, message, actor=actor)
    return message


def accept_configure(payload, sender_name: str, *, connect=None) -> dict:
    """The primary's request to use (or stop using) a witness."""
    if not isinstance(payload, dict) or "host" not in payload:
        raise Refused("The request must name the witness's host (or null).", 400, "invalid")
    site = SiteState.load()
    if not site.in_relationship:
        raise Refused(NOT_PAIRED, 409, "not_in_relationship")
    actor = f"peer {sender_name}"
    if payload["host"] is None:
        if WitnessLink.remove():
            StatusEvent.record(
                EventKind.WITNESS_CHANGED, f"Witness removed by {sender_name}.", actor=actor
            )
        return {"witness": None}
    try:
        host = validation.validate_host(payload["host"])
        port = validation.validate_port(payload.get("port"))
    except (ValueError, TypeError) as e:
        raise Refused(str(e), 400, "invalid") from None
    report = _witness_report(site, host, port, connect)
    WitnessLink.configure(host, port, report["site_id"], report["hostname"])
    StatusEvent.record(
        EventKind.WITNESS_CHANGED,
        f"Witness {report['hostname']} at {WitnessLink.load().address} added by {sender_name}.",
        actor=actor,
    )
    return {"witness": {"host": host, "port": port}}
