"""Moderators limited to some sites: they never see or decide the others' comments."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Article, Comment, CommentStatus
from core.errors import NotFound
from moderation.models import Decision, WordRule
from moderation.services.actions import comment_approve, comments_reject
from sites.models import ModeratorSites, Site
from tests.factories import (
    AppealFactory,
    make_article,
    make_comment,
    make_site,
    make_user,
)

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/needsreviewcomment/"


@pytest.fixture
def site_a(db: None) -> Site:
    return make_site(name="Alpha Herald", slug="alpha")


@pytest.fixture
def site_b(db: None) -> Site:
    return make_site(name="Beta Times", slug="beta")


@pytest.fixture
def story_a(site_a: Site) -> Article:
    return make_article(site=site_a, title="Alpha story")


@pytest.fixture
def story_b(site_b: Site) -> Article:
    return make_article(site=site_b, title="Beta story")


def _moderator(username: str, *sites: Site) -> User:
    user = make_user(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["edit_rules", "view_wordrule", "change_wordrule"]
        )
    )
    if sites:
        limit = ModeratorSites.objects.create(user=user)
        limit.sites.set(sites)
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def held_a(story_a: Article) -> Comment:
    return make_comment(article=story_a, status=CommentStatus.HELD, body="Alpha held")


@pytest.fixture
def held_b(story_b: Article) -> Comment:
    return make_comment(article=story_b, status=CommentStatus.HELD, body="Beta held")


def test_the_queues_show_only_the_moderators_sites(
    site_a: Site, held_a: Comment, held_b: Comment
) -> None:
    """A moderator of A sees A's held comment; one with no limit sees both."""
    # when
    limited = _client(_moderator("amod", site_a)).get(QUEUE).content.decode()
    everyone = _client(_moderator("allmod")).get(QUEUE).content.decode()
    # then
    assert "Alpha held" in limited
    assert "Beta held" not in limited
    assert "Alpha held" in everyone
    assert "Beta held" in everyone


def test_queues_filter_by_site(held_a: Comment, held_b: Comment) -> None:
    page = _client(_moderator("allmod")).get(QUEUE + "?site=beta").content.decode()
    assert "Beta held" in page
    assert "Alpha held" not in page


def test_another_sites_comment_cannot_be_opened_or_decided(
    site_a: Site, held_b: Comment
) -> None:
    """The review page, its POST, a forged bulk action and the API all refuse."""
    # given
    moderator = _moderator("amod", site_a)
    client = _client(moderator)
    review = f"{QUEUE}{held_b.pk}/change/"
    # when
    opened = client.get(review)
    posted = client.post(review, {"do": "approve", f"seen_{held_b.pk}": "0"})
    client.post(
        QUEUE,
        {
            "action": "approve_comments",
            "_selected_action": [str(held_b.pk)],
            "index": "0",
            f"seen_{held_b.pk}": "0",
        },
    )
    api = APIClient()
    api.force_authenticate(moderator)
    by_api = api.post(
        f"/api/v1/moderation/comments/{held_b.pk}/approve/", {}, format="json"
    )
    # then
    assert opened.status_code == 404
    assert posted.status_code == 404
    assert by_api.status_code == 404
    held_b.refresh_from_db()
    assert held_b.status == CommentStatus.HELD
    assert not Decision.objects.filter(
        comment=held_b, source=Decision.Source.MODERATOR
    ).exists()


def test_the_action_itself_refuses_another_sites_comment(
    site_a: Site, held_b: Comment
) -> None:
    """The service refuses, whatever interface called it."""
    with pytest.raises(NotFound):
        comment_approve(comment=held_b, moderator=_moderator("amod", site_a))
    held_b.refresh_from_db()
    assert held_b.status == CommentStatus.HELD


def test_a_bulk_action_decides_only_the_moderators_sites(
    site_a: Site, held_a: Comment, held_b: Comment
) -> None:
    """Bulk reject with another site's id in the list decides the moderator's own
    comment and names the other as not found, leaving it untouched."""
    # when
    outcome = comments_reject(
        seen={held_a.pk: None, held_b.pk: None},
        moderator=_moderator("amod", site_a),
        reason="spam",
    )
    # then
    assert outcome.refused == [f"There is no comment {held_b.pk}."]
    assert [d.comment_id for d in outcome.decisions] == [held_a.pk]
    held_a.refresh_from_db()
    held_b.refresh_from_db()
    assert held_a.status == CommentStatus.REJECTED
    assert held_b.status == CommentStatus.HELD


def test_the_dashboard_counts_the_moderators_sites_and_filters_by_site(
    site_a: Site, held_a: Comment, held_b: Comment, story_a: Article
) -> None:
    make_comment(article=story_a, status=CommentStatus.HELD)
    AppealFactory(comment=make_comment(article=story_a, status=CommentStatus.REJECTED))
    AppealFactory(comment=make_comment(article=held_b.article, status="rejected"))
    AppealFactory(comment=make_comment(article=held_b.article, status="rejected"))
    limited = _client(_moderator("amod", site_a)).get("/admin/").content.decode()
    everyone = _client(_moderator("allmod"))
    all_sites = everyone.get("/admin/").content.decode()
    only_b = everyone.get("/admin/?site=beta").content.decode()

    def count(row: str, page: str) -> int:
        match = re.search(
            row + r'</a></th><td class="queue-count"><a [^>]*>(\d+)</a></td>', page
        )
        assert match, page
        return int(match.group(1))

    assert count("Needs review", limited) == 2
    assert count("Needs review", all_sites) == 3
    assert count("Needs review", only_b) == 1
    # Pending appeals too are counted on the moderator's or the chosen site only.
    assert count("Appeals", limited) == 1
    assert count("Appeals", only_b) == 2
    assert "Moderation queues: Beta Times" in only_b


def test_a_site_rule_applies_to_that_sites_comments_only(
    site_a: Site,
    story_a: Article,
    story_b: Article,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A banned word for site A rejects there and not on site B."""
    from articles.services import comment_create

    # given
    WordRule.objects.create(pattern="frobnicate", kind="banned", site=site_a)
    author = make_user(username="writer")
    make_comment(author=author, status=CommentStatus.PUBLISHED)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        on_a, _ = comment_create(
            article=story_a, author=author, body="Please frobnicate the council."
        )
        on_b, _ = comment_create(
            article=story_b, author=author, body="Please frobnicate the council."
        )
    # then
    on_a.refresh_from_db()
    on_b.refresh_from_db()
    assert on_a.status == CommentStatus.REJECTED
    assert on_b.status != CommentStatus.REJECTED


def test_rules_and_stories_are_scoped_and_filterable(
    site_a: Site, site_b: Site, story_a: Article, story_b: Article
) -> None:
    """A moderator of A sees global rules and A's, changes only A's; sees only A's
    stories and may correct an embed-created story's title and URL."""
    # given
    everywhere = WordRule.objects.create(pattern="everywhere", kind="suspect")
    own = WordRule.objects.create(pattern="alphaonly", kind="suspect", site=site_a)
    WordRule.objects.create(pattern="betaonly", kind="suspect", site=site_b)
    client = _client(_moderator("amod", site_a))
    # when
    rules = client.get("/admin/moderation/wordrule/").content.decode()
    global_rule = client.post(
        f"/admin/moderation/wordrule/{everywhere.pk}/change/",
        {"pattern": "changed", "kind": "suspect", "is_active": "on"},
    )
    own_rule = client.post(
        f"/admin/moderation/wordrule/{own.pk}/change/",
        {"pattern": "alphaonly2", "kind": "suspect", "site": site_a.pk},
    )
    stories = client.get("/admin/articles/article/").content.decode()
    corrected = client.post(
        f"/admin/articles/article/{story_a.pk}/change/",
        {
            "title": "Alpha story, corrected",
            "url": "https://alpha.example/news/1",
            "moderation_policy": "open",
            "comments_open": "on",
        },
    )
    other = client.get(f"/admin/articles/article/{story_b.pk}/change/")
    # then
    assert "everywhere" in rules
    assert "alphaonly" in rules
    assert "betaonly" not in rules
    assert global_rule.status_code == 403
    everywhere.refresh_from_db()
    assert everywhere.pattern == "everywhere"
    assert own_rule.status_code == 302, re.findall(
        r'class="errorlist[^>]*>(.*?)</ul>', own_rule.content.decode()
    )
    own.refresh_from_db()
    assert own.pattern == "alphaonly2"
    everywhere.refresh_from_db()
    assert everywhere.pattern == "everywhere"
    assert "Alpha story" in stories
    assert "Beta story" not in stories
    assert corrected.status_code == 302
    story_a.refresh_from_db()
    assert story_a.title == "Alpha story, corrected"
    assert other.status_code == 302  # the admin's "doesn't exist" redirect
