"""Reads for sites: lookups, comment counts for count.js, moderators' sites."""

from django.core.cache import cache
from django.db.models import Count, Q

from accounts.models import User
from articles.models import Article, CommentStatus

from .models import ModeratorSites, Site

COUNTS_TIMEOUT = 30
MAX_COUNT_IDS = 100


def site_by_slug(slug: str) -> Site | None:
    return Site.objects.filter(slug=slug).first() if slug else None


def origin_allowed_for_counts(*, origin: str, site_slug: str) -> bool:
    site = site_by_slug(site_slug)
    return site is not None and site.allows_origin(origin)


def _count_key(site: Site, external_id: str) -> str:
    return f"story-count:{site.pk}:{external_id}"


def story_counts(*, site: Site, external_ids: list[str]) -> dict[str, int]:
    """Published comments per story id, from the cache; one query for the misses.

    Cached for COUNTS_TIMEOUT seconds: a front page listing dozens of stories asks
    for all of them at once, on every page view.
    """
    keys = {_count_key(site, eid): eid for eid in external_ids}
    cached = cache.get_many(list(keys))
    counts = {keys[k]: v for k, v in cached.items()}
    missing = [eid for eid in external_ids if eid not in counts]
    if missing:
        rows = (
            Article.objects.filter(site=site, external_id__in=missing)
            .annotate(
                n=Count("comments", filter=Q(comments__status=CommentStatus.PUBLISHED))
            )
            .values_list("external_id", "n")
        )
        found = dict(rows)
        fresh = {eid: found.get(eid, 0) for eid in missing}
        cache.set_many(
            {_count_key(site, eid): n for eid, n in fresh.items()}, COUNTS_TIMEOUT
        )
        counts.update(fresh)
    return counts


def moderated_site_ids(user: User) -> list[int] | None:
    """The sites a moderator may see, or None for every site (no limit set)."""
    if user.is_superuser:
        return None
    limit = ModeratorSites.objects.filter(user=user).first()
    if limit is None:
        return None
    return list(limit.sites.values_list("pk", flat=True))
