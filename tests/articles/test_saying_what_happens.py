"""The story page says what is happening (issue 14, point 4): the first-comment
note with the queue's wait, the edit window, and landing at one's reply."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from articles.models import Article, CommentStatus
from moderation.models import Decision
from tests.factories import make_comment, make_user


def _post(article: Article) -> str:
    return reverse("articles:comment_post", kwargs={"slug": article.slug})


@pytest.mark.django_db
def test_a_first_comment_says_a_person_checks_it_and_how_long_that_takes(
    reader_client: Client, article: Article
) -> None:
    """A new commenter's held comment names the queue's recent median wait."""
    # given: three recent decisions by moderators, after 10, 20 and 40 minutes
    moderator = make_user(username="mod", is_staff=True)
    now = timezone.now()
    for minutes in (10, 20, 40):
        held = make_comment(
            article=article,
            status=CommentStatus.PUBLISHED,
            created_at=now - timedelta(minutes=minutes + 5),
        )
        Decision.objects.create(
            comment=held,
            text_version=1,
            from_status=CommentStatus.HELD,
            to_status=CommentStatus.PUBLISHED,
            source=Decision.Source.MODERATOR,
            actor=moderator,
            created_at=now - timedelta(minutes=5),
        )
    # when
    response = reader_client.post(
        _post(article), {"body": "My very first comment here."}, follow=True
    )
    # then
    page = response.content.decode()
    assert "First comments from new readers are checked by a person" in page
    assert "at the moment that takes about 20 minutes" in page


@pytest.mark.django_db
def test_the_edit_link_shows_the_time_left_and_goes_when_it_closes(
    reader_client: Client, reader: User, article: Article, settings: object
) -> None:
    """Edit shows the minutes left; after the window only Withdraw remains."""
    settings.PARLEY_EDIT_WINDOW = timedelta(minutes=15)  # type: ignore[attr-defined]
    fresh = make_comment(article=article, author=reader, body="Fresh.")
    old = make_comment(
        article=article,
        author=reader,
        body="Old.",
        created_at=timezone.now() - timedelta(minutes=16),
    )
    # when
    page = reader_client.get(article.get_absolute_url()).content.decode()
    # then
    fresh_html = page.split(f'id="c{fresh.pk}"')[1].split('<div class="comment')[0]
    old_html = page.split(f'id="c{old.pk}"')[1].split('<div class="comment')[0]
    assert '(<span class="edit-left">15 minutes left</span>)' in fresh_html
    assert "data-edit-deadline=" in fresh_html
    assert ">Edit</a>" not in old_html
    assert ">Withdraw</a>" in old_html


@pytest.mark.django_db
def test_a_reply_on_page_three_lands_on_page_three_at_the_reply(
    reader_client: Client, article: Article, settings: object
) -> None:
    """After replying to a comment on page 3, the reader is on page 3 at it."""
    # given: five top-level comments, two a page
    settings.PARLEY_THREAD_PAGE_SIZE = 2  # type: ignore[attr-defined]
    start = timezone.now() - timedelta(hours=1)
    comments = [
        make_comment(article=article, created_at=start + timedelta(minutes=n))
        for n in range(5)
    ]
    # when
    response = reader_client.post(
        _post(article),
        {
            "body": "A reply on the last page.",
            "parent": comments[4].pk,
            "sort": "oldest",
        },
    )
    # then
    reply = article.comments.get(parent=comments[4])
    assert response["Location"] == (
        f"{article.get_absolute_url()}?sort=oldest&page=3#c{reply.pk}"
    )
    page = reader_client.get(response["Location"]).content.decode()
    assert "A reply on the last page." in page
    # Newest first, the same comment is on page 1.
    newest = reader_client.post(
        _post(article),
        {"body": "Another reply.", "parent": comments[4].pk, "sort": "newest"},
    )
    assert "?sort=newest&page=1#c" in newest["Location"]


@pytest.mark.django_db
def test_comment_boxes_count_instead_of_cutting_pasted_text(
    reader_client: Client, article: Article
) -> None:
    """Boxes carry the limit for the counter script, not a maxlength that silently
    cuts pasted text; the script is a file (no inline script)."""
    page = reader_client.get(article.get_absolute_url()).content.decode()
    assert 'data-maxlength="5000"' in page
    assert " maxlength=" not in page
    assert "articles/comments.js" in page
    assert "<script>" not in page


@pytest.mark.django_db
def test_the_edit_page_says_when_the_window_has_closed(
    reader_client: Client, reader: User, article: Article, settings: object
) -> None:
    """Opening the edit page of an old comment says why it cannot be edited."""
    settings.PARLEY_EDIT_WINDOW = timedelta(minutes=15)  # type: ignore[attr-defined]
    fresh = make_comment(article=article, author=reader)
    old = make_comment(
        article=article,
        author=reader,
        created_at=timezone.now() - timedelta(minutes=16),
    )
    fresh_page = reader_client.get(reverse("articles:comment_edit", args=[fresh.pk]))
    old_page = reader_client.get(reverse("articles:comment_edit", args=[old.pk]))
    assert "Time to edit:" in fresh_page.content.decode()
    assert "The time to edit this comment has passed" in old_page.content.decode()
