"""A page of the thread read with SQL built once (articles.selectors): the same
comments, order and authors the ORM gave, and nothing private read."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils.safestring import mark_safe
from rest_framework.renderers import JSONRenderer

from articles import selectors, thread_json
from articles.models import Comment, CommentStatus
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


@pytest.mark.django_db
def test_thread_rows_carry_the_same_timestamps_the_orm_reads() -> None:
    """The rows' times (read with psycopg's compiled loader on PostgreSQL) are the
    values, time zone included, the ORM gives for the same comments."""
    # given
    article = make_article()
    root = make_comment(article=article)
    reply = make_comment(article=article, parent=root)
    Comment.objects.filter(pk=reply.pk).update(
        created_at=datetime(2026, 3, 7, 9, 5, 0, tzinfo=UTC),
        edited_at=datetime(2026, 3, 7, 9, 6, 1, 250, tzinfo=UTC),
    )
    # when
    items = selectors.thread_page(article=article).items
    # then
    for item in items:
        orm = Comment.objects.get(pk=item.comment.pk)
        assert (item.comment.created_at, item.comment.edited_at) == (
            orm.created_at,
            orm.edited_at,
        )
        assert item.comment.created_at.tzinfo is orm.created_at.tzinfo
    assert items[1].comment.edited_at == datetime(2026, 3, 7, 9, 6, 1, 250, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 7, 9, 5, 0, tzinfo=UTC),
        datetime(2026, 3, 7, 9, 5, 0, 458589, tzinfo=UTC),
        None,
        "é, <b>&amp;</b> \u2028 and \u2029 and \U0001f600",
        CommentStatus.PUBLISHED,
        mark_safe("A <i>name</i>"),
        [1, True, False, 0.5],
    ],
)
def test_the_thread_json_is_the_bytes_drf_writes(value: object) -> None:
    """The thread API's JSON (written by orjson) is byte for byte what DRF's JSON
    renderer writes for the same data: datetimes, escapes and all."""
    data = {"results": [{"value": value, "id": 3}], "next": None}
    assert thread_json.render(data) == JSONRenderer().render(data)
