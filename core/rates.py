"""Rate limits read from settings when a request is checked, not at import."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest


def setting_rate(name: str) -> Callable[[str, HttpRequest], str]:
    """A django-ratelimit `rate` that reads `settings.<name>` on every request,
    so a changed setting (or a test's override) takes effect without a reload."""

    def rate(group: str, request: HttpRequest) -> str:
        return str(getattr(settings, name))

    rate.__name__ = f"rate_{name.lower()}"
    return rate
