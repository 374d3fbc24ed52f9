"""Operations with side effects (peer calls, role changes, syncs), shared by
the pages, the command line, the JSON API and the Celery tasks."""


class Refused(Exception):
    """An operation refused with a reason fit to show the administrator; it
    changed nothing. ``status`` is the HTTP status the page and API answer."""

    status = 409

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status
