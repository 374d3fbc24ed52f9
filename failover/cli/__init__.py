"""Subcommands of `python manage.py failover`: one module per group."""

import getpass

from django.core.management.base import CommandError


def cli_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user} (command line)"


def form_error(form, option_names: dict[str, str] | None = None) -> CommandError:
    """A form's errors as the one-line reason the command exits with."""
    option_names = option_names or {}
    parts = []
    for field, errors in form.errors.items():
        messages = " ".join(errors)
        if field == "__all__":
            parts.append(messages)
        else:
            parts.append(f"{option_names.get(field, field)}: {messages}")
    return CommandError("; ".join(parts))
