"""Same software on both sides: the one check, with the one wording, that
pairing, role changes, syncs and health checks use."""


def version_mismatch(own: str, other: str | None, other_name: str) -> str:
    """Why ``other_name``'s version refuses the operation, or "" when they match."""
    if other == own:
        return ""
    return (
        f"Product version mismatch: this site runs {own}, {other_name} runs "
        f"{other or 'an unknown version'}. Upgrade both to the same version."
    )
