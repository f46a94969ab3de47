"""API rate limits shared by every app's API."""

from django.conf import settings
from django.core.cache import cache
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView


def window_counts(current: str, previous: str, timeout: int) -> tuple[int, int]:
    """Count one more in the `current` window's counter (kept `timeout` seconds)
    and read the `previous` one: (current count, previous count).

    One Redis round trip with config.cache's Redis cache; other caches (the
    tests' per-process one) take three calls.
    """
    counted = getattr(cache, "window_counts", None)
    if counted is not None:
        return counted(current, previous, timeout)
    cache.add(current, 0, timeout)
    try:
        now = cache.incr(current)
    except ValueError:  # expired between the two calls
        cache.add(current, 1, timeout)
        now = 1
    return int(now), int(cache.get(previous) or 0)


class CommentWriteThrottle(ScopedRateThrottle):
    """The view's `throttle_scope` rate, applied to writes only (reads are free).

    A sliding window estimated from two fixed ones (this period's count plus
    the previous period's, weighted by how much of it still lies within one
    period of now), kept as two counters: a write costs one Redis round trip
    and the same work however many writes the period allows. DRF's own keeps
    every write's time in one list read and written whole on each write, and
    two writes at once can both pass on the same list.
    """

    scope_attr = "throttle_scope"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if key is None or self.num_requests is None or self.duration is None:
            return True
        self.now = self.timer()
        window, into = divmod(self.now, self.duration)
        current, previous = window_counts(
            f"{key}:{int(window)}", f"{key}:{int(window) - 1}", 2 * self.duration
        )
        weight = 1 - into / self.duration
        estimate = current + previous * weight
        if estimate <= self.num_requests:
            return True
        # A refused write is not counted: waiting is enough to be let in again.
        cache.decr(f"{key}:{int(window)}")
        # Seconds until the estimate falls below the limit without new writes
        # (the previous period's share shrinks; at worst the period's end).
        over = estimate - self.num_requests
        self._wait: float = (
            over / previous * self.duration if previous else self.duration - into
        )
        return False

    def wait(self) -> float | None:
        return max(1.0, min(getattr(self, "_wait", 60.0), 3600.0))


class StoryWriteThrottle(CommentWriteThrottle):
    """Story writes from a CMS (the view's `throttle_scope`), per calling
    address, at `settings.PARLEY_STORY_WRITE_RATE` as it is when the request is
    checked.

    Counted before the key is checked, so guessing keys is limited too; per
    address rather than per site, so a stranger's failed calls cannot use up
    a site's own budget."""

    def get_rate(self) -> str:
        return str(settings.PARLEY_STORY_WRITE_RATE)
