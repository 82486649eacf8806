"""Domain errors that the API and pages turn into HTTP responses.

Messages are lazy translation strings so they render in the requester's language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    status_code = 400
    default_message = _l("The request could not be completed.")

    def __init__(self, message=None, errors: dict | None = None):
        self.message = message if message is not None else self.default_message
        self.errors = errors or {}
        super().__init__(str(self.message))


class NotFound(DomainError):
    status_code = 404
    default_message = _l("Not found.")


class PermissionDenied(DomainError):
    status_code = 403
    default_message = _l("You do not have permission to do this.")


class Conflict(DomainError):
    status_code = 409
    default_message = _l("This conflicts with the current state of the record.")


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a rule; `errors` maps each field to its messages."""

    status_code = 422
    default_message = _l("Some fields are not valid.")

    @classmethod
    def field(cls, name: str, message) -> InvalidInput:
        return cls(errors={name: [message]})


class QuotaExceeded(DomainError):
    """Too many of something in a period; `retry_after` seconds until more are allowed."""

    status_code = 429
    default_message = _l("Too many requests; try again later.")

    def __init__(self, message=None, retry_after: int | None = None):
        self.retry_after = retry_after
        super().__init__(message)
