"""Template context every page gets from readers: the unread notification count."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import User

from . import selectors


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    """`unread_notifications` for the header link: one COUNT query, and only on a
    page that shows it to a signed-in reader (lazy, so other pages pay nothing)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: selectors.unread_count(user=user)
        )
    }
