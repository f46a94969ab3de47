"""API rate limits shared by every app's API."""

from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView


class CommentWriteThrottle(ScopedRateThrottle):
    """The view's `throttle_scope` rate, applied to writes only (reads are free)."""

    scope_attr = "throttle_scope"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().allow_request(request, view)
