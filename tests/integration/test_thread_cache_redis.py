"""The thread cache as deployed: story versions and counters kept in a real Redis."""

from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from articles.cache import (
    _KEPT,
    _version_key,
    cache_counts,
    entry_key,
    story_version,
)
from articles.models import Article
from moderation.services.actions import comment_approve
from tests.factories import make_article, make_comment, make_user
from tests.integration.conftest import REDIS_CACHE

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _page(client: Client, article: Article) -> str:
    response = client.get(reverse("articles:detail", kwargs={"slug": article.slug}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def redis_cache() -> Any:
    with override_settings(CACHES=REDIS_CACHE):
        _KEPT.clear()
        # Story ids start again with each test database: entries of an earlier
        # run's stories would be this run's.
        client = redis.Redis.from_url(settings.REDIS_URL)
        stale = list(client.scan_iter("parley:*story*"))
        if stale:
            client.delete(*stale)
        yield cache
        _KEPT.clear()


def test_a_published_comment_shows_on_the_next_read(
    redis_cache: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    """A comment published after the page was cached is on the next read, also
    when Redis had lost the story's version in between (an eviction)."""
    # given a story read once (cached), then its version lost
    article = make_article()
    make_comment(article=article, body="Already there")
    assert "Already there" in _page(client, article)
    first = make_comment(article=article, body="Published first", status="held")
    second = make_comment(article=article, body="Published second", status="held")
    moderator = make_user(username="maria", is_staff=True)
    moderator.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    # when one comment is published (a bump), the version is evicted, and the
    # other is published (a bump of a missing version)
    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=first, moderator=moderator)
    assert "Published first" in _page(client, article)
    redis_cache.delete(_version_key(article.pk))
    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=second, moderator=moderator)
    # then
    assert "Published second" in _page(client, article)


def test_a_bump_keeps_every_digit_of_the_version(redis_cache: Any) -> None:
    """Versions start from the clock in nanoseconds (19 digits): a bump adds
    exactly one, whatever Lua's numbers can hold."""
    # given
    article = make_article()
    redis_cache.set(_version_key(article.pk), 1_796_283_759_799_135_309, timeout=None)
    # when
    redis_cache.incr_or_set(_version_key(article.pk), 1)
    # then
    assert story_version(article.pk) == 1_796_283_759_799_135_310


def test_misses_are_counted_for_the_metrics(redis_cache: Any, client: Client) -> None:
    """Every read the cache could not serve is counted once, from a counter that
    did not exist yet."""
    # given
    article = make_article()
    make_comment(article=article)
    redis_cache.delete("thread-cache:miss")
    # when
    _page(client, article)
    _page(client, Article.objects.get(pk=article.pk))
    # then (the thread built once; the second read is a hit)
    assert cache_counts()["miss"] == 1


def test_a_miss_keeps_the_page_and_its_thread_for_the_next_reader(
    redis_cache: Any, client: Client, django_assert_num_queries: Any
) -> None:
    """The first anonymous read stores the whole page and the thread's fragment in
    Redis (written together, expiring), so the next reader's read needs no query,
    also from a process that kept nothing itself."""
    # given
    article = make_article()
    make_comment(article=article, body="Kept for the next reader")
    # when
    _page(client, article)
    # then
    raw = redis.Redis.from_url(settings.REDIS_URL)
    version = story_version(article.pk)
    stored = {
        name: raw.ttl(f"parley:1:{entry_key(article.pk, version, name)}")
        for name in ("page:oldest:1", "html:oldest:1")
    }
    assert all(
        0 < ttl <= settings.PARLEY_THREAD_CACHE_SECONDS for ttl in stored.values()
    ), stored
    _KEPT.clear()  # as another process would
    with django_assert_num_queries(0):
        assert "Kept for the next reader" in _page(client, article)


def test_written_together_reads_back_as_written(redis_cache: Any) -> None:
    """Entries and counters written in one round trip read back as `set` and a
    counter would have left them; a zero timeout stores nothing."""
    # given
    redis_cache.delete_many(["kept", "gone", "counted"])
    redis_cache.set("gone", "old")
    # when
    redis_cache.write_many(
        [("kept", {"a": [1, 2]}, 60), ("gone", "new", 0)], [("counted", 3)]
    )
    redis_cache.write_many([], [("counted", 2)])
    # then
    assert redis_cache.get("kept") == {"a": [1, 2]}
    assert redis_cache.get("gone") is None
    assert redis_cache.get("counted") == 5


def _reads(raw: redis.Redis) -> int:
    stats = raw.info("commandstats")
    return sum(
        int(stats.get(f"cmdstat_{c}", {}).get("calls", 0)) for c in ("get", "mget")
    )


@pytest.mark.parametrize("kind", ["page", "api"])
def test_a_miss_reads_the_response_and_its_thread_in_one_round_trip(
    redis_cache: Any, client: Client, kind: str
) -> None:
    """A story read before whose entries are gone (expired, evicted) is rebuilt
    after one read from Redis: the version, the kept response and the thread's
    entry together; and the rebuilt read is the story as it is."""
    # given a story read once, then its entries gone from Redis and this process
    article = make_article()
    make_comment(article=article, body="Read again after an eviction")
    url = reverse("articles:detail", kwargs={"slug": article.slug})
    if kind == "api":
        url = reverse("api-thread", kwargs={"slug": article.slug})
    assert client.get(url).status_code == 200
    raw = redis.Redis.from_url(settings.REDIS_URL)
    stale = list(raw.scan_iter(f"*story:{article.pk}:[0-9]*"))
    assert len(stale) == 2, stale  # the kept response and the thread's entry
    raw.delete(*stale)
    _KEPT.clear()
    # when
    before = _reads(raw)
    response = client.get(url)
    reads = _reads(raw) - before
    # then
    assert response.status_code == 200
    assert "Read again after an eviction" in response.content.decode()
    assert reads == 1


def test_a_thread_entry_read_ahead_is_used_not_rebuilt(
    redis_cache: Any, client: Client, django_assert_num_queries: Any
) -> None:
    """When only the kept page is gone, its thread's entry (read with it) builds
    the page: the story's row is the only query."""
    # given
    article = make_article()
    make_comment(article=article, body="From the kept thread")
    _page(client, article)
    raw = redis.Redis.from_url(settings.REDIS_URL)
    version = story_version(article.pk)
    raw.delete(f"parley:1:{entry_key(article.pk, version, 'page:oldest:1')}")
    _KEPT.clear()
    # when / then
    with django_assert_num_queries(1):
        assert "From the kept thread" in _page(client, article)
