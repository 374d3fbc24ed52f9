"""Roles of a site and the rules that relate them."""

from enum import StrEnum


class Role(StrEnum):
    NONE = "none"
    PRIMARY = "primary"
    BACKUP = "backup"

    @property
    def label(self) -> str:
        return {"none": "Standalone", "primary": "Primary", "backup": "Backup"}[self.value]


ROLE_CHOICES = [(role.value, role.label) for role in Role]


def opposite(role: Role) -> Role:
    if role == Role.NONE:
        raise ValueError("a standalone site has no opposite role")
    return Role.BACKUP if role == Role.PRIMARY else Role.PRIMARY


def same_role_conflict(own_role: str, peer_role: str | None) -> bool:
    """Both sites of a pair claim the same role: a state the pair must not stay in."""
    return own_role != Role.NONE and own_role == peer_role
