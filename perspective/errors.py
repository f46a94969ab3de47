"""Errors in the shape Google's APIs give them, which Perspective clients parse.

``{"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT"}}``,
with Perspective's ``details`` (``errorType``) where the real API sends them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# google.rpc.Code names and the HTTP status each maps to.
HTTP_STATUS = {
    "INVALID_ARGUMENT": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "RESOURCE_EXHAUSTED": 429,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
}
_DETAIL_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"


@dataclass
class ApiError(Exception):
    """An error answered as Google's JSON; ``status`` is a google.rpc.Code."""

    status: str
    message: str
    error_type: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.status]

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.http_status,
            "message": self.message,
            "status": self.status,
        }
        if self.error_type:
            error["details"] = [
                {"@type": _DETAIL_TYPE, "errorType": self.error_type, **self.extra}
            ]
        return {"error": error}


def invalid(message: str, error_type: str = "") -> ApiError:
    return ApiError("INVALID_ARGUMENT", message, error_type)


def language_not_supported(
    attribute: str, languages: list[str], *, detected: bool
) -> ApiError:
    which = "detected" if detected else "request"
    return ApiError(
        "INVALID_ARGUMENT",
        f"Attribute {attribute} does not support {which} languages: "
        f"{','.join(languages)}",
        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
        {
            "languageNotSupportedByAttributeError": {
                "detectedLanguages": languages if detected else [],
                "requestedLanguages": [] if detected else languages,
                "attribute": attribute,
            }
        },
    )
