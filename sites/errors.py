"""Refusals specific to embedding: each message is shown as-is in the frame or API."""

from core.errors import NotAllowed


class SignOnRefused(NotAllowed):
    """A single-sign-on token that signs nobody in."""

    code = "sso_refused"
