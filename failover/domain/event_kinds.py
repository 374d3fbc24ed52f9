"""Every kind of status-history event, with what each means elsewhere: its
label on the page, the notification topic it belongs to and, for role
changes, the cause the metrics count it under."""

from enum import StrEnum

from django.db import models


class Topic(models.TextChoices):
    """What an administrator can ask to be told about."""

    AUTOMATIC_FAILOVER = "automatic_failover", "Automatic failover"
    PLANNED_SWAP = "planned_swap", "Planned role swap"
    ISOLATION = "isolation", "Isolation (cut off from the primary and every test IP)"
    PEER_DOWN = "peer_down", "Peer unreachable for longer than the primary timeout"
    PEER_BACK = "peer_back", "Peer reachable again"
    SYNC_FAILED = "sync_failed", "Data sync failed"
    CONFLICT = "conflict", "Role conflict detected or resolved"
    VERSION_MISMATCH = "version_mismatch", "Product version mismatch"
    REFUSED = "refused", "Refused peer requests"
    DIVERGED = "diverged", "Diverged copy kept (data this site had to replace)"
    WITNESS_UNREACHABLE = "witness_unreachable", "Witness unreachable"


class EventKind(StrEnum):
    """``kind`` of a StatusEvent. Each member is (value, label, topic, cause)."""

    label: str
    topic: Topic | None
    cause: str | None

    def __new__(cls, value: str, label: str, topic: Topic | None = None, cause: str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label, member.topic, member.cause = label, topic, cause
        return member

    PAIRED = "paired", "Paired"
    UNPAIRED = "unpaired", "Unpaired"
    PEER_UNREACHABLE = "peer_unreachable", "Peer unreachable"
    PEER_REACHABLE = "peer_reachable", "Peer reachable", Topic.PEER_BACK
    PEER_CHANGED = "peer_changed", "Peer changed"
    PEER_DOWN_TOO_LONG = "peer_down_too_long", "Peer down too long", Topic.PEER_DOWN
    VERSION_MISMATCH = "version_mismatch", "Version mismatch", Topic.VERSION_MISMATCH
    PEER_REQUEST_REFUSED = "peer_request_refused", "Peer request refused", Topic.REFUSED
    FAILOVER = "failover", "Failover", Topic.AUTOMATIC_FAILOVER, "automatic"
    ISOLATED = "isolated", "Isolated", Topic.ISOLATION
    DEMOTED = "demoted", "Demoted", None, "demoted"
    CONFIRMING_PRIMARY = "confirming_primary", "Waiting to confirm the primary role"
    PRIMARY_CONFIRMED = "primary_confirmed", "Primary role confirmed"
    SWAP_REQUESTED = "swap_requested", "Swap requested"
    ROLE_SWAPPED = "role_swapped", "Role swapped", None, "planned"
    SWAP_SUCCEEDED = "swap_succeeded", "Swap succeeded", Topic.PLANNED_SWAP
    SWAP_FAILED = "swap_failed", "Swap failed", Topic.PLANNED_SWAP
    SIGNED_OUT = "signed_out", "Signed out"
    CONFLICT_DETECTED = "conflict_detected", "Conflict detected", Topic.CONFLICT
    CONFLICT_RESOLVED = "conflict_resolved", "Conflict resolved", Topic.CONFLICT
    CONFLICT_FIXED = "conflict_fixed", "Conflict fixed", Topic.CONFLICT, "conflict_fix"
    SYNC_STARTED = "sync_started", "Sync started"
    SYNC_SUCCEEDED = "sync_succeeded", "Sync succeeded"
    SYNC_FAILED = "sync_failed", "Sync failed", Topic.SYNC_FAILED
    DIVERGED_COPY_KEPT = "diverged_copy_kept", "Diverged copy kept", Topic.DIVERGED
    DIVERGED_COPY_DROPPED = "diverged_copy_dropped", "Diverged copy dropped"
    DIVERGED_COPY_DELETED = "diverged_copy_deleted", "Diverged copy deleted"
    SETTINGS_CHANGED = "settings_changed", "Settings changed"
    SHARED_IP_CHANGED = "shared_ip_changed", "Shared IP changed"
    SHARED_IP_FAILED = "shared_ip_failed", "Shared IP failed"
    KEY_CHANGED = "key_changed", "Inter-site key changed"
    API_TOKEN_CREATED = "api_token_created", "API token created"
    API_TOKEN_DELETED = "api_token_deleted", "API token deleted"
    NOTIFICATION_TEST = "notification_test", "Notification test"
    # The optional witness (domain.witness_quorum, domain.witness_grant).
    WITNESS_CHANGED = "witness_changed", "Witness changed"
    WITNESS_UNREACHABLE = "witness_unreachable", "Witness unreachable", Topic.WITNESS_UNREACHABLE
    WITNESS_REACHABLE = "witness_reachable", "Witness reachable"
    WITNESS_REFUSED = "witness_refused", "Witness refused failover"
    WITNESS_GRANTED = "witness_granted", "Witness granted an epoch"
    STEPPED_DOWN = "stepped_down", "Stepped down", Topic.ISOLATION

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(kind.value, kind.label) for kind in cls]

    @classmethod
    def of_topic(cls, topic: Topic) -> list["EventKind"]:
        return [kind for kind in cls if kind.topic == topic]

    @classmethod
    def with_cause(cls) -> list["EventKind"]:
        """The role changes, each counted under its cause by the metrics."""
        return [kind for kind in cls if kind.cause]
