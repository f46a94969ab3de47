"""Refusals that services raise and every interface (HTML, API, admin) shows as-is.

The message is written for the person who made the request: it says what was wrong
and what to do next. `status` is the HTTP status an interface should answer with.
"""


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(ServiceError):
    status = 400
    code = "invalid"


class Unprocessable(ServiceError):
    """Well-formed, but contradicts an earlier request (e.g. a reused key)."""

    status = 422
    code = "unprocessable"


class NotAllowed(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"
