from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from articles.models import Article, CommentRevision, CommentStatus, ModerationPolicy
from articles.services import comment_create, comment_edit, comment_withdraw
from core.errors import InvalidInput, NotAllowed
from tests.factories import make_article, make_comment


@pytest.mark.django_db
def test_new_comment_is_saved_with_its_first_revision(
    article: Article, reader: User
) -> None:
    """A new comment is stored with version 1 of its text."""
    # when
    comment, created = comment_create(article=article, author=reader, body=" Hello ")
    # then
    assert created
    assert comment.body == "Hello"
    assert comment.text_version == 1
    assert list(comment.revisions.values_list("body", flat=True)) == ["Hello"]


@pytest.mark.django_db
def test_reply_records_parent_root_and_depth(article: Article, reader: User) -> None:
    """Replies to any depth know their parent, their thread's root and their depth."""
    # given
    top = make_comment(article=article)
    child = make_comment(article=article, parent=top)
    # when
    reply, _ = comment_create(article=article, author=reader, body="Deep", parent=child)
    # then
    assert reply.parent_id == child.pk
    assert reply.root_id == top.pk
    assert reply.depth == 2


@pytest.mark.django_db
def test_reply_to_a_comment_of_another_story_is_refused(
    article: Article, reader: User
) -> None:
    """A reply must belong to the same story as its parent."""
    other = make_comment(article=make_article())
    with pytest.raises(InvalidInput, match="same story"):
        comment_create(article=article, author=reader, body="Hi", parent=other)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [CommentStatus.PENDING, CommentStatus.HELD, CommentStatus.REJECTED]
)
def test_reply_to_an_unpublished_comment_is_refused(
    article: Article, reader: User, status: str
) -> None:
    """Only published comments take replies."""
    parent = make_comment(article=article, status=status)
    with pytest.raises(InvalidInput, match="not open for replies"):
        comment_create(article=article, author=reader, body="Hi", parent=parent)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"comments_open": False}, "Comments on this story are closed."),
        (
            {"moderation_policy": ModerationPolicy.CLOSED},
            "Comments on this story are closed.",
        ),
        (
            {
                "close_comments_after_days": 3,
                "published_at": timezone.now() - timedelta(days=4),
            },
            "closed automatically 3 days after publication",
        ),
    ],
)
def test_closed_story_refuses_comments(
    reader: User, changes: dict[str, object], message: str
) -> None:
    """Closed stories, by flag, policy or age, refuse new comments and say why."""
    article = make_article(**changes)
    with pytest.raises(NotAllowed, match=message):
        comment_create(article=article, author=reader, body="Hi")
    assert not article.comments.exists()


@pytest.mark.django_db
def test_anonymous_user_cannot_comment(article: Article) -> None:
    """Only signed-in readers post."""
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed, match="log in"):
        comment_create(article=article, author=AnonymousUser(), body="Hi")  # type: ignore[arg-type]


@pytest.mark.django_db
def test_idempotency_key_returns_the_first_comment(
    article: Article, reader: User
) -> None:
    """A retried create with the same key returns the first comment, not a new one."""
    first, created_first = comment_create(
        article=article, author=reader, body="Once", idempotency_key="k-1"
    )
    again, created_again = comment_create(
        article=article, author=reader, body="Once", idempotency_key="k-1"
    )
    assert created_first
    assert not created_again
    assert again.pk == first.pk
    assert article.comments.count() == 1


@pytest.mark.django_db
def test_edit_keeps_earlier_versions_and_goes_back_to_review(
    article: Article, reader: User
) -> None:
    """An edit bumps the text version, keeps the old text and re-enters moderation."""
    # given
    comment = make_comment(article=article, author=reader, body="First draft")
    # when
    edited = comment_edit(comment=comment, editor=reader, body="Second draft")
    # then
    assert edited.text_version == 2
    assert edited.edited_at is not None
    assert list(
        CommentRevision.objects.filter(comment=comment).values_list("body", flat=True)
    ) == ["First draft", "Second draft"]


@pytest.mark.django_db
def test_edit_after_the_window_is_refused(article: Article, reader: User) -> None:
    """Comments can be edited for 15 minutes only."""
    comment = make_comment(
        article=article,
        author=reader,
        created_at=timezone.now() - timedelta(minutes=16),
    )
    with pytest.raises(NotAllowed, match="edited for 15 minutes"):
        comment_edit(comment=comment, editor=reader, body="Too late")
    comment.refresh_from_db()
    assert comment.text_version == 1


@pytest.mark.django_db
def test_only_the_author_may_edit_or_withdraw(
    article: Article, reader: User, other_reader: User
) -> None:
    """Another reader's edit or withdrawal is refused."""
    comment = make_comment(article=article, author=reader)
    with pytest.raises(NotAllowed, match="only edit your own"):
        comment_edit(comment=comment, editor=other_reader, body="Hijack")
    with pytest.raises(NotAllowed, match="only withdraw your own"):
        comment_withdraw(comment=comment, actor=other_reader)


@pytest.mark.django_db
def test_withdraw_keeps_the_row_and_its_replies(article: Article, reader: User) -> None:
    """Withdrawal is a status change; replies stay attached."""
    comment = make_comment(article=article, author=reader)
    reply = make_comment(article=article, parent=comment)
    withdrawn = comment_withdraw(comment=comment, actor=reader)
    assert withdrawn.status == CommentStatus.WITHDRAWN
    reply.refresh_from_db()
    assert reply.parent_id == comment.pk


@pytest.mark.django_db
def test_withdrawn_comment_cannot_be_edited(article: Article, reader: User) -> None:
    """A withdrawn comment stays withdrawn."""
    comment = make_comment(article=article, author=reader)
    comment_withdraw(comment=comment, actor=reader)
    with pytest.raises(NotAllowed, match="can no longer be edited"):
        comment_edit(comment=comment, editor=reader, body="Back")
