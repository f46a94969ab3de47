"""A page of the thread read with SQL built once (articles.selectors): the same
comments, order and authors the ORM gave, and nothing private read."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import selectors
from articles.models import Article, Comment, CommentStatus
from tests.factories import make_article, make_comment, make_comments, make_user


def _api(client: Client, article: Article, **params: str) -> dict[str, Any]:
    url = reverse("api-thread", kwargs={"slug": article.slug})
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    data: dict[str, Any] = response.json()
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["oldest", "newest", "replies"])
def test_the_cursor_keeps_comments_posted_in_the_same_instant_apart(
    client: Client, sort: str
) -> None:
    """Top-level comments with the same time (and reply count) are ordered by id,
    so following the cursor two at a time meets every one exactly once."""
    # given six top-level comments posted in the same microsecond
    article = make_article(slug="same-instant")
    at = timezone.now()
    roots = make_comments(6, article=article, created_at=at)
    make_comments(2, article=article, parent=roots[3], created_at=at)
    Comment.objects.filter(pk=roots[3].pk).update(published_reply_count=2)
    whole = [c["id"] for c in _api(client, article, sort=sort)["results"]]
    # when
    seen: list[int] = []
    params = {"limit": "2", "sort": sort}
    while True:
        data = _api(client, article, **params)
        seen += [c["id"] for c in data["results"]]
        if not data["next_cursor"]:
            break
        params = {"limit": "2", "sort": sort, "cursor": data["next_cursor"]}
    # then
    assert seen == whole
    assert len(seen) == len(set(seen)) == 8


@pytest.mark.django_db
def test_a_thread_page_reads_authors_public_fields_only(
    django_assert_num_queries: Any,
) -> None:
    """The page knows each author's public name and staff badge without another
    query; their password hash and email address are never read."""
    # given
    article = make_article()
    moderator = make_user(username="mod", display_name="The Desk", is_staff=True)
    root = make_comment(article=article, author=moderator)
    make_comment(article=article, parent=root)
    # when
    page = selectors.thread_page(article=article)
    # then
    with django_assert_num_queries(0):
        names = [
            (i.comment.author.public_name, i.comment.author.staff_badge)
            for i in page.items
        ]
    assert names[0] == ("The Desk", "Moderator")
    deferred = page.items[0].comment.author.get_deferred_fields()
    assert {"password", "email"} <= deferred


@pytest.mark.django_db
def test_a_field_a_thread_does_not_show_is_still_read_when_asked() -> None:
    """A comment from a thread page still gives a field the page left unread (its
    status change time), read from the database, as after QuerySet.only()."""
    # given
    article = make_article()
    comment = make_comment(article=article, status=CommentStatus.PUBLISHED)
    # when
    shown = selectors.thread_page(article=article).items[0].comment
    # then
    assert "status_changed_at" in shown.get_deferred_fields()
    assert shown.status_changed_at == comment.status_changed_at
