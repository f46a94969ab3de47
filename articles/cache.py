"""Story versions: the thread is cached per version, so it is never served stale.

Every change that affects what a reader may see of a story's thread (a comment's
status transition, an edit, a withdrawal, the story edited or closed, an author's
name removed) bumps the story's version once the change has committed. Cached thread
data lives under keys that include the version, so a bump makes every earlier entry
unreachable at once: nothing is ever deleted or overwritten, and a reader who began
rendering before the bump can only store under the old, dead version.

The bump runs after commit, never inside the transaction: bumped inside it, a reader
could fetch the new version, read the database before the commit and store the old
thread under the new version for good.

A version starts from the clock (nanoseconds), not from 1, so a version key lost to
an eviction or a Redis restart never comes back to a number an older entry used.
"""

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

_VERSION_KEY = "story:{}:v"
_ENTRY_KEY = "story:{}:{}:{}"


def _version_key(article_id: int) -> str:
    return _VERSION_KEY.format(article_id)


def _fresh_version() -> int:
    return time.time_ns()


def story_version(article_id: int) -> int:
    """The story's current version (created from the clock on first use)."""
    key = _version_key(article_id)
    version = cache.get(key)
    if version is None:
        version = _fresh_version()
        if not cache.add(key, version, timeout=None):
            version = cache.get(key, version)
    return int(version)


def _bump_now(article_ids: Iterable[int]) -> None:
    for article_id in sorted(set(article_ids)):
        key = _version_key(article_id)
        try:
            cache.incr(key)
        except ValueError:  # never read yet, or evicted: any fresh version will do
            cache.set(key, _fresh_version(), timeout=None)


def story_versions_bump(article_ids: Iterable[int]) -> None:
    """Bump the stories' versions once the current transaction commits."""
    ids = frozenset(article_ids)
    if ids:
        transaction.on_commit(lambda: _bump_now(ids))


def story_cached(
    *, article_id: int, version: int, name: str, build: Callable[[], T]
) -> T:
    """The entry `name` of the story at `version`, built and stored on a miss.

    `name` must hold everything the entry depends on besides the story's comments
    (kind, sort, page, size, host); entries expire after PARLEY_THREAD_CACHE_SECONDS
    so a story no one reads leaves nothing behind.
    """
    key = _ENTRY_KEY.format(article_id, version, name)
    found = cache.get(key)
    if found is not None:
        _count("hit")
        return found
    _count("miss")
    value = build()
    cache.set(key, value, timeout=settings.PARLEY_THREAD_CACHE_SECONDS)
    return value


_HITS_KEY = "thread-cache:{}"


def _count(outcome: str) -> None:
    # Shared counters for /metrics (the hit rate is what to watch as traffic grows).
    key = _HITS_KEY.format(outcome)
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, 1, timeout=None)


def cache_counts() -> dict[str, int]:
    """Thread-cache hits and misses since Redis started (for /metrics)."""
    keys = {outcome: _HITS_KEY.format(outcome) for outcome in ("hit", "miss")}
    found = cache.get_many(list(keys.values()))
    return {outcome: int(found.get(key) or 0) for outcome, key in keys.items()}
