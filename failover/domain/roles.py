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
