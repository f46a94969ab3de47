"""Writes for sites: API keys, SSO secrets, and stories the CMS or the embed sends."""

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, ModerationPolicy
from core.errors import InvalidInput, NotAllowed, NotFound
from core.keys import hash_key

from .models import Site, SiteApiKey

logger = logging.getLogger("parley.sites")

KEY_PREFIX = "pk_"


def site_api_key_create(*, site: Site, name: str) -> tuple[SiteApiKey, str]:
    """A new key for the site's CMS; the raw key is returned once and never stored."""
    prefix = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = SiteApiKey.objects.create(
        site=site, name=name, prefix=prefix, key_hash=hash_key(raw)
    )
    logger.info("api key created site=%s prefix=%s", site.slug, prefix)
    return key, raw


def site_api_key_revoke(*, key: SiteApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        logger.info("api key revoked site=%s prefix=%s", key.site_id, key.prefix)


def site_for_api_key(*, site_slug: str, raw_key: str) -> Site:
    """The site the key belongs to, if it is that site's active key; else refused."""
    refused = NotAllowed("The API key is missing, wrong or revoked.", code="bad_key")
    if not raw_key.startswith(KEY_PREFIX) or len(raw_key) > 200:
        raise refused
    prefix = raw_key[len(KEY_PREFIX) :].split("_", 1)[0]
    key = SiteApiKey.objects.select_related("site").filter(prefix=prefix).first()
    if (
        key is None
        or not key.is_active
        or not hmac.compare_digest(key.key_hash, hash_key(raw_key))
    ):
        raise refused
    if key.site.slug != site_slug:
        if not Site.objects.filter(slug=site_slug).exists():
            raise NotFound(f"There is no site {site_slug!r}.", code="unknown_site")
        raise NotAllowed(
            "This API key belongs to another site.", code="key_of_other_site"
        )
    SiteApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key.site


def site_sso_secret_rotate(*, site: Site) -> str:
    """A new signing secret; the current one stays valid until retired."""
    secret = secrets.token_urlsafe(32)
    site.sso_secret_previous = site.sso_secret
    site.sso_secret = secret
    site.save(update_fields=["sso_secret", "sso_secret_previous"])
    logger.info("sso secret rotated site=%s", site.slug)
    return secret


def site_sso_secret_retire_previous(*, site: Site) -> None:
    site.sso_secret_previous = ""
    site.save(update_fields=["sso_secret_previous"])


@dataclass
class StoryFields:
    title: str
    url: str = ""
    section: str = ""
    published_at: datetime | None = None
    policy: str | None = None
    standfirst: str = ""
    byline: str = ""


def _unique_slug(site: Site, external_id: str) -> str:
    base = slugify(f"{site.slug}-{external_id}")[:180] or f"{site.slug}-story"
    if not Article.objects.filter(slug=base).exists():
        return base
    return f"{base}-{secrets.token_hex(4)}"


def _check_url(site: Site, url: str) -> None:
    if url and not site.allows_url(url):
        raise InvalidInput(
            f"The story URL is not on {site.name}'s hosts "
            f"({', '.join(site.hosts) or 'none set'}).",
            code="url_not_allowed",
        )


def story_upsert(
    *, site: Site, external_id: str, fields: StoryFields
) -> tuple[Article, bool]:
    """Create or update the story (site, external_id); the same call twice is a no-op.

    Returns the story and whether it was created.
    """
    external_id = external_id.strip()
    if not external_id or len(external_id) > 200:
        raise InvalidInput("The story id must be 1 to 200 characters.", code="bad_id")
    _check_url(site, fields.url)
    if fields.policy is not None and fields.policy not in ModerationPolicy.values:
        raise InvalidInput(
            f"policy must be one of {', '.join(ModerationPolicy.values)}.",
            code="bad_policy",
        )
    values: dict[str, object] = {
        "title": fields.title,
        "url": fields.url,
        "section": fields.section,
        "standfirst": fields.standfirst,
        "byline": fields.byline,
    }
    if fields.published_at is not None:
        values["published_at"] = fields.published_at
    if fields.policy is not None:
        values["moderation_policy"] = fields.policy
        values["comments_open"] = fields.policy != ModerationPolicy.CLOSED
    for _ in range(2):
        try:
            with transaction.atomic():
                article = (
                    Article.objects.select_for_update()
                    .filter(site=site, external_id=external_id)
                    .first()
                )
                if article is None:
                    article = Article.objects.create(
                        site=site,
                        external_id=external_id,
                        slug=_unique_slug(site, external_id),
                        **values,
                    )
                    return article, True
                changed = [k for k, v in values.items() if getattr(article, k) != v]
                for k in changed:
                    setattr(article, k, values[k])
                if changed:
                    article.save(update_fields=changed)
                return article, False
        except IntegrityError:
            continue  # a concurrent first PUT created it: update that one
    raise InvalidInput("The story could not be saved; try again.", code="conflict")


def story_from_embed(*, site: Site, external_id: str, url: str, title: str) -> Article:
    """The story a page embedding Parley names, created on its first load if allowed.

    The caller has checked the page's origin; the URL must be on the site's hosts.
    """
    article = Article.objects.filter(site=site, external_id=external_id).first()
    if article is not None:
        return article
    if not site.create_stories_on_embed:
        raise NotAllowed(
            f"{site.name} has no story with the id {external_id!r} in Parley.",
            code="unknown_story",
        )
    if not url:
        raise InvalidInput(
            "The embed needs data-story-url to create the story.", code="no_url"
        )
    _check_url(site, url)
    title = " ".join(title.split())[:300]
    if not title:
        raise InvalidInput(
            "The embed needs data-story-title to create the story.", code="no_title"
        )
    article, _ = story_upsert(
        site=site,
        external_id=external_id,
        fields=StoryFields(title=title, url=url),
    )
    logger.info("story created from embed site=%s id=%s", site.slug, article.pk)
    return article
