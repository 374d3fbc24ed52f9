"""This site's signed calls to its witness (the same peer protocol and
inter-site key as the peer's; endpoints in views.witness_endpoints)."""

from failover.domain import witness_messages
from failover.models import SiteState, WitnessLink
from failover.peer.client import PeerAnswerInvalid, PeerClient


def client(link: WitnessLink, timeout: float) -> PeerClient:
    return PeerClient(
        link.host,
        link.port,
        expected_site_id=str(link.witness_site_id) if link.witness_site_id else None,
        timeout=timeout,
    )


def _about_this_site(site: SiteState, hostname: str, primary_timeout: float) -> dict:
    return {
        "relationship_id": str(site.relationship_id),
        "peer_site_id": str(site.peer_site_id),
        "hostname": hostname,
        "role": site.role,
        "epoch": site.epoch,
        "timeout": primary_timeout,
    }


class WitnessCalls:
    """The two calls a site of the pair makes; each raises PeerError."""

    def __init__(self, peer_client: PeerClient):
        self.client = peer_client

    def heartbeat(self, site: SiteState, hostname: str, primary_timeout: float) -> dict:
        answer = self.client.call(
            "POST", "witness/heartbeat", payload=_about_this_site(site, hostname, primary_timeout)
        )
        return self._checked(witness_messages.heartbeat_answer, answer)

    def ask_grant(self, site: SiteState, hostname: str, primary_timeout: float, epoch: int):
        payload = {
            **_about_this_site(site, hostname, primary_timeout),
            "requested_epoch": epoch,
        }
        answer = self.client.call("POST", "witness/grant", payload=payload)
        return self._checked(witness_messages.grant_answer, answer)

    def _checked(self, parse, answer: dict) -> dict:
        try:
            return parse(answer)
        except ValueError as e:
            raise PeerAnswerInvalid(
                f"Invalid answer from the witness {self.client.address}: {e}"
            ) from None
