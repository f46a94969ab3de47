"""The queues' stored priority follows every change that moves a comment in them."""

import pytest
from django.db import transaction

from accounts.models import User
from articles.models import Comment, CommentStatus
from lifecycle.transitions import comment_transition
from moderation import selectors
from moderation.models import Decision, QueuePriority
from moderation.services import actions, reports
from tests.factories import make_article, make_comment, make_user


def _stored(comment: Comment) -> float:
    return QueuePriority.objects.get(comment=comment).base


def _fresh(comment: Comment) -> float:
    return selectors.priority_bases([comment.pk])[comment.pk]


def _move(comment: Comment, to: str, moderator: User | None = None) -> None:
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        comment_transition(
            comment=locked,
            to_status=to,
            source=Decision.Source.MODERATOR if moderator else Decision.Source.PIPELINE,
            actor=moderator,
        )


@pytest.mark.django_db
def test_stored_priority_follows_holds_reports_rejections_and_sanctions(
    django_capture_on_commit_callbacks: object,
) -> None:
    """A held comment is ranked when it is held, and ranked again when it is
    reported, when its author has another comment rejected and when its author is
    pre-moderated; the stored figure always equals the one computed afresh."""
    # given
    moderator = make_user(username="mod", is_staff=True)
    author = make_user()
    article = make_article()
    waiting = make_comment(article=article, author=author, status="pending")
    other = make_comment(article=article, author=author, status="published")
    run = django_capture_on_commit_callbacks(execute=True)  # type: ignore[operator]
    # when: held by the pipeline
    with run:
        _move(waiting, CommentStatus.HELD)
    # then
    assert _stored(waiting) == pytest.approx(_fresh(waiting))
    start = _stored(waiting)
    # when: the author's other comment is rejected (history +5)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _move(other, CommentStatus.REJECTED, moderator)
    # then
    assert _stored(waiting) == pytest.approx(start + 5)
    # when: the author is pre-moderated (history +5)
    actions.author_premoderate(comment=waiting, moderator=moderator)
    # then
    assert _stored(waiting) == pytest.approx(start + 10)
    assert _stored(waiting) == pytest.approx(_fresh(waiting))


@pytest.mark.django_db
def test_stored_priority_follows_reports_filed_and_resolved() -> None:
    """A report raises a published comment's stored priority (Reported queue); an
    upheld report raises the reporter's weight on their other open reports."""
    # given
    moderator = make_user(username="mod", is_staff=True)
    reporter = make_user()
    first = make_comment(status="published")
    second = make_comment(status="published")
    # when
    reports.comment_report(comment=first, reporter=reporter, reason="abusive")
    reports.comment_report(comment=second, reporter=reporter, reason="abusive")
    # then: a new reporter weighs 1.0, 10 points
    assert _stored(second) == pytest.approx(10.0)
    # when: their report on the first comment is upheld
    reports.reports_resolve(comment=first, moderator=moderator, upheld=True)
    # then: weight 2·2/3, on the report still open
    assert _stored(second) == pytest.approx(_fresh(second))
    assert _stored(second) == pytest.approx(10 * 4 / 3)
