"""The one refusal every layer raises and every adapter (page, API, command
line, peer endpoint) turns into its own answer."""


class Refused(Exception):
    """An operation refused with a reason fit to show the administrator; it
    changed nothing. ``status`` is the HTTP status the page and API answer,
    ``code`` a machine-readable reason for the peer protocol."""

    status = 409
    code = "refused"

    def __init__(self, message: str, status: int | None = None, code: str | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
