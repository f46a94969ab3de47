"""Story versions: the thread is cached per version, so it is never served stale.

Every change that affects what a reader may see of a story's thread bumps the
story's version once the change has committed: a comment's status transition
(edits and withdrawals are transitions too) through lifecycle's after-commit hook
(`status_changed_receiver`), the story closed or reopened in the admin and an
author's name removed through `story_versions_bump`. Cached thread
data lives under keys that include the version, so a bump makes every earlier entry
unreachable at once: nothing is ever deleted or overwritten, and a reader who began
rendering before the bump can only store under the old, dead version.

The bump runs after commit, never inside the transaction: bumped inside it, a reader
could fetch the new version, read the database before the commit and store the old
thread under the new version for good.

A version starts from the clock (nanoseconds), not from 1, so a version key lost to
an eviction or a Redis restart never comes back to a number an older entry used.
"""

import random
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from lifecycle.events import AuthorRenamed, StatusChanged

from .models import Comment

T = TypeVar("T")

_VERSION_KEY = "story:{}:v"
_ENTRY_KEY = "story:{}:{}:{}:{}:{}"
# Bumped when the shape of cached entries changes, so a deploy never reads entries
# an older release wrote; PARLEY_RELEASE (the deployed revision) does the same for
# template changes.
_FORMAT = 2


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


# The version each story had when this process last read it: a hot story's next
# read fetches the version and the entry under this guess in one round trip.
_LAST_SEEN: dict[int, int] = {}
_LAST_SEEN_MAX = 10_000


class _Kept:
    """Entries this process read or built lately, by (story, release, name), with the
    version they belong to, least recently used first out past a byte budget.

    A read whose entry is kept asks Redis for the story's version alone (a few
    bytes instead of the entry's ~20 KB, and nothing to unpickle) and uses the
    kept entry only if the versions match, so it is exactly as fresh as Redis.
    Entries are shared by every request of the process: callers never change them.
    """

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[int, str, str], tuple[int, Any, int]] = (
            OrderedDict()
        )
        self._bytes = 0

    def get(self, article_id: int, name: str) -> tuple[int, Any] | None:
        key = (article_id, settings.PARLEY_RELEASE, name)
        kept = self._entries.get(key)
        if kept is None:
            return None
        self._entries.move_to_end(key)
        return kept[0], kept[1]

    def keep(self, article_id: int, name: str, version: int, value: Any) -> None:
        budget = settings.PARLEY_THREAD_PROCESS_BYTES
        size = _size(value)
        if settings.PARLEY_THREAD_CACHE_SECONDS <= 0 or size > budget // 8:
            return
        key = (article_id, settings.PARLEY_RELEASE, name)
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old[2]
        self._entries[key] = (version, value, size)
        self._bytes += size
        while self._bytes > budget:
            _, (_, _, dropped) = self._entries.popitem(last=False)
            self._bytes -= dropped

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0


def _size(value: Any) -> int:
    """Roughly what an entry holds: its body or HTML, plus a little."""
    for part in (value, getattr(value, "body", None), getattr(value, "html", None)):
        if isinstance(part, bytes | str):
            return len(part) + 512
    return 4096


_KEPT = _Kept()


def story_entry(*, article_id: int, name: str) -> tuple[int, Any]:
    """(the story's current version, its entry `name` at that version or None)."""
    version, found, _ = story_entries(article_id=article_id, name=name)
    return version, found


def story_entries(
    *, article_id: int, name: str, ahead: str | None = None
) -> tuple[int, Any, Any]:
    """`story_entry`, with the entry `ahead` at the same version read in the same
    round trip: a miss of a whole page needs the thread's entry next (see
    `reading_ahead`). None when it is missing, not asked for, or not read
    because the first entry was kept by this process (a hit, which needs no
    build)."""
    key = _version_key(article_id)
    kept = _KEPT.get(article_id, name)
    kept_ahead = _KEPT.get(article_id, ahead) if ahead else None
    if kept is not None:
        # A hit on what this process kept asks Redis for the version alone; the
        # entry ahead only if kept too (else None: built again if ever needed,
        # which a hit never does).
        current = cache.get(key)
        if current is not None and int(current) == kept[0]:
            _LAST_SEEN[article_id] = kept[0]
            same = kept_ahead is not None and kept_ahead[0] == kept[0]
            return kept[0], kept[1], kept_ahead[1] if same and kept_ahead else None
    names = [name] if ahead is None else [name, ahead]
    guess = _LAST_SEEN.get(article_id)
    version: Any = None
    if guess is not None:
        wanted = [entry_key(article_id, guess, n) for n in names]
        got = cache.get_many([key, *wanted])
        version = got.get(key)
    if guess is None or version != guess:
        version = story_version(article_id)
        wanted = [entry_key(article_id, version, n) for n in names]
        got = cache.get_many(wanted)
    found = got.get(wanted[0])
    extra = got.get(wanted[1]) if ahead else None
    if len(_LAST_SEEN) >= _LAST_SEEN_MAX:
        _LAST_SEEN.clear()
    _LAST_SEEN[article_id] = int(version)
    if found is not None:
        _KEPT.keep(article_id, name, int(version), found)
    if extra is not None and ahead:
        _KEPT.keep(article_id, ahead, int(version), extra)
    return int(version), found, extra


# Entries `story_entries` read ahead, by (story, name): (version, entry or None).
_AHEAD: ContextVar[dict[tuple[int, str], tuple[int, Any]] | None] = ContextVar(
    "parley_thread_cache_ahead", default=None
)


@contextmanager
def reading_ahead(
    article_id: int, name: str | None, version: int | None, found: Any
) -> Iterator[None]:
    """Within, `story_cached(name)` of this story takes `found` (at `version`,
    read a moment ago with another entry) instead of asking Redis again; None
    means it was missing, so it is built at that version."""
    if name is None or version is None:
        yield
        return
    token = _AHEAD.set({(article_id, name): (version, found)})
    try:
        yield
    finally:
        _AHEAD.reset(token)


def _bump_now(article_ids: Iterable[int]) -> None:
    # Never read yet, or evicted: any fresh version will do. One round trip each
    # with the project's Redis cache; other caches (the tests') ask first.
    incr_or_set = getattr(cache, "incr_or_set", None)
    for article_id in sorted(set(article_ids)):
        key = _version_key(article_id)
        if incr_or_set is not None:
            incr_or_set(key, _fresh_version())
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, _fresh_version(), timeout=None)


def status_changed_receiver(events: Sequence[StatusChanged]) -> None:
    """Subscribed to lifecycle's after-commit hook per batch (ArticlesConfig.ready):
    every committed status change of a comment makes its story's cached thread
    stale; a bulk change bumps each story it touched once."""
    _bump_now(sorted({event.article_id for event in events}))


def author_renamed_receiver(event: AuthorRenamed) -> None:
    """A renamed author's name is in the cached thread of every story they
    commented on (and in replies' "in reply to"): make those stale."""
    _bump_now(
        Comment.objects.filter(author_id=event.user_id)
        .order_by()
        .values_list("article_id", flat=True)
        .distinct()
    )


def story_versions_bump(article_ids: Iterable[int]) -> None:
    """Bump the stories' versions once the current transaction commits."""
    ids = frozenset(article_ids)
    if ids:
        transaction.on_commit(lambda: _bump_now(ids))


def entry_key(article_id: int, version: int, name: str) -> str:
    release = settings.PARLEY_RELEASE
    return _ENTRY_KEY.format(article_id, version, _FORMAT, release, name)


def story_cached(
    *, article_id: int, name: str, build: Callable[[int], T]
) -> tuple[int, T]:
    """(the story's current version, its entry `name` at that version), the entry
    built by `build(version)` and stored on a miss; a hot story's hit costs one
    Redis round trip (`story_entry`).

    `name` must hold everything the entry depends on besides the story's comments
    (kind, sort, page, size, host).
    """
    ahead = _AHEAD.get()
    read = ahead.pop((article_id, name), None) if ahead else None
    if read is not None:
        version, found = read
    else:
        version, found = story_entry(article_id=article_id, name=name)
    if found is not None:
        count_hit()
        return version, found
    _count("miss")
    value = build(version)
    story_store(article_id=article_id, version=version, name=name, value=value)
    return version, value


def story_store(*, article_id: int, version: int, name: str, value: object) -> None:
    """Keep `value` as the story's entry `name` at `version` (read before building
    it); entries expire after PARLEY_THREAD_CACHE_SECONDS so a story no one reads
    leaves nothing behind."""
    key = entry_key(article_id, version, name)
    timeout = settings.PARLEY_THREAD_CACHE_SECONDS
    pending = _PENDING.get()
    if pending is not None:
        pending[0].append((key, value, timeout))
    else:
        cache.set(key, value, timeout=timeout)
    _KEPT.keep(article_id, name, version, value)


# Writes waiting for the end of `writes_together`: (entries, counters).
_PENDING: ContextVar[
    tuple[list[tuple[str, Any, Any]], list[tuple[str, int]]] | None
] = ContextVar("parley_thread_cache_pending", default=None)


@contextmanager
def writes_together() -> Iterator[None]:
    """The thread cache's writes within (entries stored, misses counted) go to
    Redis together at the end, in one round trip with the project's cache: a
    miss of a whole page stores the thread's fragment and the page, and counts
    the miss. Nothing is written if the block raises (nothing was built)."""
    token = _PENDING.set(([], []))
    try:
        yield
        sets, counts = _PENDING.get() or ([], [])
    finally:
        _PENDING.reset(token)
    if not sets and not counts:
        return
    write_many = getattr(cache, "write_many", None)
    if write_many is not None:
        write_many(sets, counts)
        return
    for key, value, timeout in sets:
        cache.set(key, value, timeout=timeout)
    for key, n in counts:
        _count_now(key, n)


_HITS_KEY = "thread-cache:{}"
_HIT_SAMPLE = 16


def count_hit() -> None:
    # One hit in 16 is counted, 16 at a time: the hit rate stays right on average
    # without a Redis round trip on every cached read.
    if random.random() < 1 / _HIT_SAMPLE:  # noqa: S311 - sampling, not secrecy
        _count("hit", _HIT_SAMPLE)


def _count(outcome: str, n: int = 1) -> None:
    # Shared counters for /metrics (the hit rate is what to watch as traffic grows).
    key = _HITS_KEY.format(outcome)
    pending = _PENDING.get()
    if pending is not None:
        pending[1].append((key, n))
        return
    _count_now(key, n)


def _count_now(key: str, n: int) -> None:
    counter_add = getattr(cache, "counter_add", None)
    if counter_add is not None:  # the project's Redis cache: one round trip
        counter_add(key, n)
        return
    try:
        cache.incr(key, n)
    except ValueError:
        cache.add(key, n, timeout=None)


def cache_counts() -> dict[str, int]:
    """Thread-cache hits and misses since Redis started (for /metrics)."""
    keys = {outcome: _HITS_KEY.format(outcome) for outcome in ("hit", "miss")}
    found = cache.get_many(list(keys.values()))
    return {outcome: int(found.get(key) or 0) for outcome, key in keys.items()}
