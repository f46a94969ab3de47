"""Small helpers the admin modules share."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from sites.selectors import moderated_site_ids


def request_user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def can(request: HttpRequest, perm: str) -> bool:
    return request.user.is_active and request.user.has_perm(f"moderation.{perm}")


def site_scope(request: HttpRequest) -> list[int] | None:
    """The sites this moderator may see (None: every site); read once a request
    (a queue page asks for it in its query, its count and several filters)."""
    if not hasattr(request, "_parley_site_scope"):
        user = request.user
        scope = moderated_site_ids(user) if isinstance(user, User) else []
        request._parley_site_scope = scope  # type: ignore[attr-defined]
    scope_: list[int] | None = request._parley_site_scope  # type: ignore[attr-defined]
    return scope_


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
