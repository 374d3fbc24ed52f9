"""Asking the peer to take the swap lock, change its role under it and let the
lock go: the calls a planned swap and Fix this error both make."""

import contextlib

from failover.domain.roles import Role
from failover.peer.client import PeerError


def lock_peer(peer, lock_id, note: str, *, sign_out: bool = False) -> dict:
    """Take (or renew) the peer's swap lock; returns its status report."""
    return peer.call(
        "POST",
        "role/lock",
        payload={"swap_id": str(lock_id), "note": note, "sign_out": sign_out},
    )


def change_peer_role(peer, lock_id, role: Role, epoch: int, *, actor: str, reason: str) -> bool:
    """Ask the peer (locked under ``lock_id``) to take ``role`` at ``epoch``;
    True once it has, even if its answer was lost on the way back."""
    try:
        peer.call(
            "POST",
            "role/change",
            payload={
                "swap_id": str(lock_id),
                "role": str(role),
                "epoch": epoch,
                "actor": actor,
                "reason": reason,
            },
        )
        return True
    except PeerError:
        try:
            report = peer.status()
        except PeerError:
            return False
        return report.get("role") == role and report.get("epoch") == epoch


def unlock_peer(peer, lock_id) -> None:
    # Failing here means it was never locked, or is gone: its lock lapses on its own.
    with contextlib.suppress(PeerError):
        peer.call("POST", "role/unlock", payload={"swap_id": str(lock_id)})
