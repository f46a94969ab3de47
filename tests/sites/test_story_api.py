"""The story API a site's CMS calls: PUT /api/v1/sites/{site}/stories/{id}."""

import re
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from articles.models import Article, ModerationPolicy
from sites.models import Site
from sites.services import site_api_key_create, site_api_key_revoke
from tests.factories import make_site

pytestmark = pytest.mark.django_db

STORY = {
    "title": "Council approves the bridge",
    "url": "https://www.gazette.example/news/bridge",
    "section": "Local",
    "published_at": "2026-11-30T08:00:00Z",
}


def _put(key: str, site: str, story_id: str, body: dict[str, Any]) -> Any:
    client = APIClient()
    return client.put(
        f"/api/v1/sites/{site}/stories/{story_id}",
        body,
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def test_a_cms_creates_then_updates_a_story_idempotently(gazette: Site) -> None:
    """The first PUT creates (201), the same PUT again changes nothing (200)."""
    # given
    _, key = site_api_key_create(site=gazette, name="CMS")
    # when
    created = _put(key, "gazette", "rg-1", STORY)
    again = _put(key, "gazette", "rg-1", STORY)
    updated = _put(key, "gazette", "rg-1", {**STORY, "title": "Council approves it"})
    # then
    assert created.status_code == 201, created.json()
    assert again.status_code == 200
    assert again.json() == created.json()
    assert updated.json()["title"] == "Council approves it"
    story = Article.objects.get(site=gazette, external_id="rg-1")
    assert story.title == "Council approves it"
    assert story.url == STORY["url"]
    assert Article.objects.filter(site=gazette).count() == 1
    assert created.json()["comments_url"].endswith(story.get_absolute_url())


def test_a_cms_closes_and_premoderates_a_story(gazette: Site) -> None:
    """policy=closed stops new comments; premoderated holds every comment."""
    # given
    _, key = site_api_key_create(site=gazette, name="CMS")
    _put(key, "gazette", "rg-2", STORY)
    # when
    closed = _put(key, "gazette", "rg-2", {**STORY, "policy": "closed"})
    # then
    assert closed.status_code == 200
    story = Article.objects.get(external_id="rg-2")
    assert story.comments_closed_reason() == "Comments on this story are closed."
    # when
    _put(key, "gazette", "rg-2", {**STORY, "policy": "premoderated"})
    # then
    story.refresh_from_db()
    assert story.moderation_policy == ModerationPolicy.PREMODERATED
    assert story.comments_closed_reason() is None


def test_a_bad_or_revoked_key_is_refused(gazette: Site) -> None:
    """No key, a wrong key and a revoked key get 403 and a clear message."""
    # given
    api_key, key = site_api_key_create(site=gazette, name="CMS")
    # when
    missing = APIClient().put("/api/v1/sites/gazette/stories/x", STORY, format="json")
    wrong = _put(key[:-4] + "abcd", "gazette", "x", STORY)
    site_api_key_revoke(key=api_key)
    revoked = _put(key, "gazette", "x", STORY)
    # then
    for response in (missing, wrong, revoked):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "bad_key"
        assert "API key" in response.json()["error"]["message"]
    assert not Article.objects.filter(external_id="x").exists()


def test_another_sites_key_is_refused(gazette: Site) -> None:
    """A key of site A cannot write site B's stories."""
    # given
    make_site(name="Other", slug="other", story_hosts="www.gazette.example")
    _, key = site_api_key_create(site=gazette, name="CMS")
    # when
    response = _put(key, "other", "rg-1", STORY)
    # then
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "This API key belongs to another site."
    )
    assert not Article.objects.filter(site__slug="other").exists()


def test_bad_input_gets_a_clear_error(gazette: Site) -> None:
    """A URL on a foreign host, a missing title or an unknown policy: 400."""
    # given
    _, key = site_api_key_create(site=gazette, name="CMS")
    # when
    foreign = _put(key, "gazette", "a", {**STORY, "url": "https://evil.example/x"})
    untitled = _put(key, "gazette", "b", {"url": STORY["url"]})
    policy = _put(key, "gazette", "c", {**STORY, "policy": "whatever"})
    # then
    assert foreign.status_code == 400
    assert "not on The Riverside Gazette's hosts" in foreign.json()["error"]["message"]
    assert untitled.status_code == 400
    assert "title" in untitled.json()["error"]["fields"]
    assert policy.status_code == 400
    assert not Article.objects.filter(site=gazette).exists()


def test_the_key_is_stored_hashed(gazette: Site) -> None:
    """Only a hash of the key is kept: the raw key is nowhere in the database."""
    # given
    api_key, key = site_api_key_create(site=gazette, name="CMS")
    # then
    api_key.refresh_from_db()
    assert key not in (api_key.key_hash, api_key.prefix)
    assert len(api_key.key_hash) == 64


def test_an_unknown_site_is_named_in_the_refusal(gazette: Site) -> None:
    _, key = site_api_key_create(site=gazette, name="CMS")
    response = _put(key, "nope", "rg-1", STORY)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "There is no site 'nope'."


def test_a_caller_writing_too_fast_is_told_to_wait(gazette: Site) -> None:
    """Past the story write rate a caller gets 429 with Retry-After, wrong keys
    count too (guessing is limited), and nothing more is written."""
    # given
    _, key = site_api_key_create(site=gazette, name="CMS")
    with override_settings(PARLEY_STORY_WRITE_RATE="3/m"):
        guesses = [_put(f"pk_guess{n}", "gazette", "rg-1", STORY) for n in range(2)]
        # when
        first = _put(key, "gazette", "rg-1", STORY)
        refused = _put(key, "gazette", "rg-2", STORY)
    # then
    assert [g.status_code for g in guesses] == [403, 403]
    assert first.status_code == 201
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "throttled"
    # "in 1 second" at a window's end, "in 12 seconds" otherwise.
    assert re.search(r"\b\d+ seconds?\b", refused.json()["error"]["message"])
    assert not Article.objects.filter(external_id="rg-2").exists()
