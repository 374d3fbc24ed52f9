"""Operations with side effects (peer calls, role changes, syncs), shared by
the pages, the command line, the JSON API and the Celery tasks."""


class Refused(Exception):
    """An operation refused with a reason fit to show the administrator; it
    changed nothing. ``status`` is the HTTP status the page and API answer,
    ``code`` a machine-readable reason for the peer protocol."""

    status = 409

    def __init__(self, message: str, status: int | None = None, code: str = "refused"):
        super().__init__(message)
        self.code = code
        if status is not None:
            self.status = status
