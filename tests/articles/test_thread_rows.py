"""A page of the thread read with SQL built once (articles.selectors): the same
comments, order and authors the ORM gave, and nothing private read."""

from typing import Any

import pytest

from articles import selectors
from articles.models import CommentStatus
from tests.factories import make_article, make_comment, make_user


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
