"""Small helpers the admin modules share."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User


def request_user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def can(request: HttpRequest, perm: str) -> bool:
    return request.user.is_active and request.user.has_perm(f"moderation.{perm}")


def seen_decision(request: HttpRequest, pk: int) -> int | None:
    """The newest decision the moderator's page showed for comment `pk`."""
    raw = request.POST.get(f"seen_{pk}")
    return int(raw) if raw is not None and raw.isdigit() else None


def age(when: Any) -> str:
    if when is None:
        return "—"
    minutes = int((timezone.now() - when).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // 1440} days"
