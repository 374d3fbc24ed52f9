"""Setting up a failover relationship (SPEC section 1).

The future primary checks the backup (reachable, same key, same version,
standalone), then offers it the pairing. The backup checks that it can reach
the primary back at the reverse address, then joins as backup; only then does
the primary join as primary. Any failure leaves both sites as they were.
"""

import contextlib
import uuid

from django.conf import settings

from failover import __version__
from failover.domain import validation
from failover.domain.event_kinds import EventKind
from failover.domain.preconditions import ALREADY_PAIRED, Action
from failover.domain.roles import Role
from failover.domain.versions import version_mismatch
from failover.errors import Refused
from failover.models import DataChange, PeerStatus, SiteState, StatusEvent
from failover.netif.reconcile import reconcile
from failover.peer.client import (
    OPERATION_TIMEOUT,
    PeerAnswerInvalid,
    PeerClient,
    PeerError,
    PeerRefused,
    PeerTLSError,
    PeerUnreachable,
)
from failover.services import roles
from failover.shapes import status_report
from failover.sync import changes


class PairingError(Refused):
    def __init__(self, message: str, code: str = "pairing_failed", status: int = 409):
        super().__init__(message, status, code)


def _explain(error: PeerError, who: str) -> PairingError:
    """A peer failure as the administrator should read it."""
    if isinstance(error, PeerUnreachable):
        return PairingError(f"The {who} is unreachable. {error}", "unreachable", 502)
    if isinstance(error, PeerTLSError):
        return PairingError(
            f"{error}. Check the {who}'s certificate and FAILOVER_PEER_CA_FILE.", "tls", 502
        )
    if isinstance(error, PeerRefused) and error.code in ("bad_signature", "no_key"):
        return PairingError(
            f"The {who} refused our signature: the two sites do not have the "
            "same inter-site key (Management > Security).",
            "key_mismatch",
        )
    if isinstance(error, PeerAnswerInvalid):
        return PairingError(
            f"{error} Check that both sites have the same inter-site key.", "key_mismatch"
        )
    if isinstance(error, PeerRefused) and error.code == "unknown_site":
        return PairingError(
            f"The {who} is already in a failover relationship with another site.",
            ALREADY_PAIRED.code,
        )
    if isinstance(error, PeerRefused) and error.code == "plaintext":
        return PairingError(f"The {who} refuses plain HTTP: {error}", "tls", 502)
    if isinstance(error, PeerRefused):
        return PairingError(f"The {who} refused: {error}", error.code)
    return PairingError(str(error), "pairing_failed", 502)


def _check_compatible(report: dict, who: str) -> None:
    if report.get("site_id") == str(SiteState.load().site_id):
        raise PairingError(
            "A site cannot pair with itself: that address leads back to this site.", "self"
        )
    mismatch = version_mismatch(__version__, report.get("version"), f"the {who}")
    if mismatch:
        raise PairingError(mismatch, "version_mismatch")


def pair_with_backup(
    *,
    backup_host: str,
    backup_port: int,
    reverse_host: str,
    reverse_port: int,
    actor,
    connect=PeerClient,
) -> str:
    """Run on the future primary. Returns a success message; raises Refused.
    ``connect(host, port, expected_site_id=None, timeout=None)`` makes the peer client."""
    site = roles.require(Action.PAIR)
    backup = connect(backup_host, backup_port, timeout=OPERATION_TIMEOUT)
    try:
        report = backup.status()
    except PeerError as e:
        raise _explain(e, "backup site") from None
    _check_compatible(report, "backup site")
    if report.get("role") != Role.NONE:
        raise PairingError(
            "The backup site is already in a failover relationship.", ALREADY_PAIRED.code
        )
    # Known now: the offer is signed for that site alone.
    backup = connect(
        backup_host, backup_port, expected_site_id=report["site_id"], timeout=OPERATION_TIMEOUT
    )

    relationship_id = uuid.uuid4()
    epoch = max(site.epoch, int(report.get("epoch") or 0)) + 1
    offer = {
        "relationship_id": str(relationship_id),
        "epoch": epoch,
        "version": __version__,
        "primary_hostname": settings.FAILOVER_SITE_NAME,
        "reverse_host": reverse_host,
        "reverse_port": reverse_port,
        "backup_host": backup_host,
        "backup_port": backup_port,
    }
    # The backup calls us back before it answers: allow for that round trip.
    try:
        accepted = backup.call("POST", "pair", payload=offer, timeout=3 * backup.timeout)
    except PeerError as e:
        _withdraw(backup, relationship_id)
        raise _explain(e, "backup site") from None

    joined = site.join(
        role=Role.PRIMARY,
        relationship_id=relationship_id,
        epoch=epoch,
        peer_site_id=report["site_id"],
        peer_host=backup_host,
        peer_port=backup_port,
        reverse_host=reverse_host,
        reverse_port=reverse_port,
    )
    if not joined:
        _withdraw(backup, relationship_id)
        raise PairingError(
            "This site changed while pairing (another pairing won); nothing was changed.",
            "conflict",
        )
    reconcile(Role.PRIMARY)
    changes.record(DataChange.Source.PROMOTED)
    PeerStatus.start_watching(accepted)
    message = (
        f"Failover relationship set up: this site is the primary and "
        f"{accepted.get('hostname')} ({backup.address}) the backup, at epoch {epoch}."
    )
    StatusEvent.record(
        EventKind.PAIRED,
        message,
        actor=actor,
        relationship_id=str(relationship_id),
        epoch=epoch,
        role=str(Role.PRIMARY),
    )
    return message


def _withdraw(backup, relationship_id) -> None:
    """Undo the backup's half of a pairing whose outcome we cannot confirm."""
    # Failing here means it never joined, or is unreachable and will learn
    # from its own health checks that we are not its primary.
    with contextlib.suppress(PeerError):
        backup.call("POST", "unpair", payload={"relationship_id": str(relationship_id)})


def _parse_offer(offer) -> dict:
    if not isinstance(offer, dict):
        raise PairingError("The pairing offer is not a JSON object.", "invalid", 400)
    try:
        parsed = {
            "relationship_id": uuid.UUID(str(offer["relationship_id"])),
            "epoch": int(offer["epoch"]),
            "version": str(offer["version"]),
            "primary_hostname": str(offer["primary_hostname"])[:253],
            "reverse_host": validation.validate_host(str(offer["reverse_host"])),
            "reverse_port": validation.validate_port(offer["reverse_port"]),
            "backup_host": validation.validate_host(str(offer["backup_host"])),
            "backup_port": validation.validate_port(offer["backup_port"]),
        }
    except KeyError as e:
        raise PairingError(f"The pairing offer lacks {e.args[0]!r}.", "invalid", 400) from None
    except (TypeError, ValueError) as e:
        raise PairingError(f"Invalid pairing offer: {e}", "invalid", 400) from None
    if parsed["epoch"] < 1:
        raise PairingError("Invalid pairing offer: the epoch must be positive.", "invalid", 400)
    return parsed


def accept_pairing(offer, sender_site_id: str, *, connect=PeerClient) -> dict:
    """Run on the future backup, for the primary's ``pair`` request."""
    parsed = _parse_offer(offer)
    site = SiteState.load()
    if site.relationship_id == parsed["relationship_id"] and site.is_backup:
        return status_report(site)  # the primary retried an offer we accepted
    roles.require(Action.PAIR, site)
    mismatch = version_mismatch(__version__, parsed["version"], "the primary")
    if mismatch:
        raise PairingError(mismatch, "version_mismatch")
    if parsed["epoch"] <= site.epoch:
        raise PairingError(
            f"The offered epoch {parsed['epoch']} is not above this site's epoch {site.epoch}.",
            "stale_epoch",
        )
    primary = connect(
        parsed["reverse_host"],
        parsed["reverse_port"],
        expected_site_id=sender_site_id,
        timeout=OPERATION_TIMEOUT,
    )
    try:
        report = primary.status()
    except PeerError as e:
        raise PairingError(
            f"The backup site cannot reach the primary back at its reverse "
            f"address {primary.address}: {e}",
            "reverse_unreachable",
        ) from None
    if report.get("role") != Role.NONE:
        raise PairingError("The primary is not standalone any more.", "conflict")

    joined = site.join(
        role=Role.BACKUP,
        relationship_id=parsed["relationship_id"],
        epoch=parsed["epoch"],
        peer_site_id=sender_site_id,
        peer_host=parsed["reverse_host"],
        peer_port=parsed["reverse_port"],
        reverse_host=parsed["backup_host"],
        reverse_port=parsed["backup_port"],
    )
    if not joined:
        raise PairingError("This site changed while pairing; nothing was changed.", "conflict")
    reconcile(Role.BACKUP)
    PeerStatus.start_watching(report)
    StatusEvent.record(
        EventKind.PAIRED,
        f"Failover relationship set up by {parsed['primary_hostname']} ({primary.address}): "
        f"this site is the backup, at epoch {parsed['epoch']}.",
        relationship_id=str(parsed["relationship_id"]),
        epoch=parsed["epoch"],
        role=str(Role.BACKUP),
    )
    return status_report(site)
