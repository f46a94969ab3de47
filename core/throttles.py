"""API rate limits shared by every app's API."""

from django.conf import settings
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView


class CommentWriteThrottle(ScopedRateThrottle):
    """The view's `throttle_scope` rate, applied to writes only (reads are free)."""

    scope_attr = "throttle_scope"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class StoryWriteThrottle(SimpleRateThrottle):
    """Story writes from a CMS, per calling address, at
    `settings.PARLEY_STORY_WRITE_RATE` as it is when the request is checked.

    Counted before the key is checked, so guessing keys is limited too; per
    address rather than per site, so a stranger's failed calls cannot use up
    a site's own budget."""

    scope = "story_write"

    def get_rate(self) -> str:
        return str(settings.PARLEY_STORY_WRITE_RATE)

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }
