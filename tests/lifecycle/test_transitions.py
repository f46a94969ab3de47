"""The transition module: Decision rows, counters and the after-commit hook."""

from collections.abc import Iterator
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import transaction

from articles.models import Article, Comment, CommentStatus
from lifecycle.events import StatusChanged, on_status_changed, status_changed
from lifecycle.transitions import (
    Transition,
    comment_transition,
    comments_transition,
    counters_recount,
)
from moderation.models import Decision
from moderation.services.actions import author_ban
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Iterator[list[StatusChanged]]:
    """Events delivered to a receiver subscribed for one test."""
    got: list[StatusChanged] = []
    receiver = on_status_changed(got.append)
    yield got
    status_changed.unsubscribe(receiver)


def _counts(article: Article, *comments: Comment) -> tuple[int, ...]:
    article.refresh_from_db()
    for c in comments:
        c.refresh_from_db()
    return (
        article.published_comment_count,
        *(c.published_reply_count for c in comments),
    )


def _move(comment: Comment, to_status: str) -> Decision | None:
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        return comment_transition(
            comment=locked, to_status=to_status, source=Decision.Source.MODERATOR
        )


def test_publishing_a_deep_reply_counts_it_for_the_story_and_every_ancestor() -> None:
    # given a thread three deep whose newest reply waits for review
    article = make_article()
    top = make_comment(article=article)
    reply = make_comment(article=article, parent=top)
    deep = make_comment(article=article, parent=reply, status=CommentStatus.HELD)
    assert _counts(article, top, reply) == (2, 1, 0)
    # when it is published, then rejected
    _move(deep, CommentStatus.PUBLISHED)
    published = _counts(article, top, reply)
    _move(deep, CommentStatus.REJECTED)
    # then each count went up once and back down once
    assert published == (3, 2, 1)
    assert _counts(article, top, reply) == (2, 1, 0)


def test_changes_between_unpublished_statuses_leave_the_counts_alone() -> None:
    article = make_article()
    top = make_comment(article=article)
    reply = make_comment(article=article, parent=top, status=CommentStatus.PENDING)
    _move(reply, CommentStatus.HELD)
    _move(reply, CommentStatus.REJECTED)
    assert _counts(article, top) == (1, 0)


def test_a_transition_to_the_same_status_writes_nothing_and_announces_nothing(
    heard: list[StatusChanged], django_capture_on_commit_callbacks
) -> None:
    comment = make_comment()
    rows = Decision.objects.filter(comment=comment).count()
    with django_capture_on_commit_callbacks(execute=True):
        decision = _move(comment, CommentStatus.PUBLISHED)
    assert decision is None
    assert Decision.objects.filter(comment=comment).count() == rows
    assert heard == []


def test_subscribers_hear_each_change_after_commit_with_what_changed(
    heard: list[StatusChanged], django_capture_on_commit_callbacks
) -> None:
    # given a held reply and a moderator
    moderator = make_user()
    top = make_comment()
    reply = make_comment(article=top.article, parent=top, status=CommentStatus.HELD)
    # when the moderator publishes it
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=reply.pk)
        decision = comment_transition(
            comment=locked,
            to_status=CommentStatus.PUBLISHED,
            source=Decision.Source.MODERATOR,
            actor=moderator,
        )
        assert heard == []  # nothing before the commit
    # then one event says who moved which comment from where to where
    assert decision is not None
    assert heard == [
        StatusChanged(
            comment_id=reply.pk,
            article_id=top.article_id,
            parent_id=top.pk,
            decision_id=decision.pk,
            old_status=CommentStatus.HELD,
            new_status=CommentStatus.PUBLISHED,
            source=Decision.Source.MODERATOR,
            actor_id=moderator.pk,
            bulk=False,
        )
    ]


def test_a_rolled_back_change_is_never_announced(
    heard: list[StatusChanged], django_capture_on_commit_callbacks
) -> None:
    comment = make_comment(status=CommentStatus.HELD)

    def fail_after_the_transition() -> None:
        with transaction.atomic():
            _move(comment, CommentStatus.PUBLISHED)
            raise RuntimeError("the caller failed after the transition")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        fail_after_the_transition()
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HELD
    assert heard == []


def test_changes_made_together_are_announced_as_bulk(
    heard: list[StatusChanged], django_capture_on_commit_callbacks
) -> None:
    article = make_article()
    held = [make_comment(article=article, status=CommentStatus.HELD) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        locked = list(Comment.objects.select_for_update().filter(article=article))
        decisions = comments_transition(
            [
                Transition(
                    comment=c,
                    to_status=CommentStatus.REJECTED,
                    source=Decision.Source.MODERATOR,
                )
                for c in locked
            ]
        )
    assert len(decisions) == 3
    assert [e.comment_id for e in heard] == [c.pk for c in held]
    assert all(e.bulk for e in heard)


def test_a_failing_subscriber_neither_undoes_the_change_nor_silences_others(
    heard: list[StatusChanged], django_capture_on_commit_callbacks
) -> None:
    def broken(event: StatusChanged) -> None:
        raise ValueError("subscriber bug")

    on_status_changed(broken)
    try:
        comment = make_comment(status=CommentStatus.HELD)
        with django_capture_on_commit_callbacks(execute=True):
            _move(comment, CommentStatus.PUBLISHED)
    finally:
        status_changed.unsubscribe(broken)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED
    assert [e.comment_id for e in heard] == [comment.pk]


def test_a_recount_repairs_counters_written_around_the_transitions() -> None:
    article = make_article()
    top = make_comment(article=article)
    make_comment(article=article, parent=top)
    Article.objects.filter(pk=article.pk).update(published_comment_count=40)
    Comment.objects.filter(pk=top.pk).update(published_reply_count=0)
    counters_recount()
    assert _counts(article, top) == (2, 1)


def test_banning_an_author_rejects_their_waiting_comments_in_one_bulk_transition(
    heard: list[StatusChanged], django_capture_on_commit_callbacks
) -> None:
    # given an author with a held comment under review and three more waiting
    moderator = make_user(username="mod", is_staff=True)
    author = make_user()
    reviewed = make_comment(author=author, status=CommentStatus.HELD)
    waiting = [
        make_comment(author=author, status=status)
        for status in (CommentStatus.HELD, CommentStatus.HELD, CommentStatus.PENDING)
    ]
    # when a moderator bans the author
    with django_capture_on_commit_callbacks(execute=True):
        decisions = author_ban(
            comment=reviewed, moderator=moderator, reason="spam", reject_held=True
        )
    # then every comment is rejected with the reason; the others as one bulk change
    assert len(decisions) == 4
    for c in [reviewed, *waiting]:
        c.refresh_from_db()
        assert c.status == CommentStatus.REJECTED
    assert [e.bulk for e in heard] == [False, True, True, True]
    assert {d.rejection_reason for d in decisions} == {"spam"}


def test_the_data_migration_fills_the_counters_of_existing_comments() -> None:
    """Comments written before the counters existed are counted on upgrade."""
    # given a thread whose counters were never kept
    article = make_article()
    top = make_comment(article=article)
    reply = make_comment(article=article, parent=top)
    make_comment(article=article, parent=reply)
    make_comment(article=article, parent=top, status=CommentStatus.REJECTED)
    Article.objects.update(published_comment_count=0)
    Comment.objects.update(published_reply_count=0)
    # when the migration's fill runs
    migration = import_module("articles.migrations.0002_comment_counters")
    migration.fill_counters(django_apps, None)
    # then
    assert _counts(article, top, reply) == (3, 2, 1)
