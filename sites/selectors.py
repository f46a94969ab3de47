"""Reads for sites: lookups, comment counts for count.js, moderators' sites."""

from functools import cache as once
from typing import Any

from django.core.cache import cache
from django.db import connection

from accounts.models import User
from articles.models import Article
from core import rows

from .models import ModeratorSites, Site

COUNTS_TIMEOUT = 300
MAX_COUNT_IDS = 100


def site_by_slug(slug: str) -> Site | None:
    # No slug holds a NUL, and PostgreSQL refuses one in any text parameter.
    if not slug or "\x00" in slug:
        return None
    return Site.objects.filter(slug=slug).first()


def request_site(request: Any, slug: str) -> Site | None:
    """`site_by_slug`, read once per request: the counts endpoint's CORS check
    and its view both need the site. `request` is Django's or DRF's request."""
    memo: dict[str, Site | None] = getattr(
        request, "_request", request
    ).__dict__.setdefault("_parley_sites", {})
    if slug not in memo:
        memo[slug] = site_by_slug(slug)
    return memo[slug]


def origin_allowed_for_counts(*, request: Any, origin: str, site_slug: str) -> bool:
    site = request_site(request, site_slug)
    return site is not None and site.allows_origin(origin)


def _count_key(site_id: int, external_id: str) -> str:
    return f"story-count:{site_id}:{external_id}"


def story_counts(*, site: Site, external_ids: list[str]) -> dict[str, int]:
    """Published comments per story id, from the cache; one query for the misses.

    A front page listing dozens of stories asks for all of them at once, on every
    page view. Entries are dropped when a comment of the story is published or
    unpublished (receivers.py), and expire after COUNTS_TIMEOUT seconds anyway.
    """
    keys = {_count_key(site.pk, eid): eid for eid in external_ids}
    cached = cache.get_many(list(keys))
    counts = {keys[k]: v for k, v in cached.items()}
    missing = [eid for eid in external_ids if eid not in counts]
    if missing:
        found = dict(
            Article.objects.filter(site=site, external_id__in=missing).values_list(
                "external_id", "published_comment_count"
            )
        )
        fresh = {eid: found.get(eid, 0) for eid in missing}
        cache.set_many(
            {_count_key(site.pk, eid): n for eid, n in fresh.items()}, COUNTS_TIMEOUT
        )
        counts.update(fresh)
    return counts


def story_counts_forget(*, article_ids: list[int]) -> None:
    """Drop the cached counts of these stories: one query, one cache round trip.

    A scoring worker calls this after every batch that publishes: on PostgreSQL
    the query is SQL built once per process (core.rows)."""
    stories: Any
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_stories_sql(), [rows.int_array(article_ids)])
            stories = cursor.fetchall()
    else:
        stories = Article.objects.filter(pk__in=article_ids).values_list(
            "site_id", "external_id"
        )
    cache.delete_many([_count_key(site_id, eid) for site_id, eid in stories])


@once
def _stories_sql() -> str:
    site, external, pk = (
        rows.column(Article, n) for n in ("site", "external_id", "id")
    )
    return (
        f"SELECT {site}, {external} FROM {rows.table(Article)} "  # noqa: S608
        f"WHERE {pk} = ANY(%s::bigint[])"
    )


def moderated_site_ids(user: User) -> list[int] | None:
    """The sites a moderator may see, or None for every site (no limit set)."""
    if user.is_superuser:
        return None
    limit = ModeratorSites.objects.filter(user=user).first()
    if limit is None:
        return None
    return list(limit.sites.values_list("pk", flat=True))
