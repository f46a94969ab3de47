"""A story's count of the top-level comments readers see, kept by the transitions.

Thread pages take their page count from `Article.shown_top_level_count`; a wrong
count would hide a page or promise an empty one. Run on SQLite it checks the
ORM path, on PostgreSQL (CI) the one-statement path.
"""

import random
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction

from articles import selectors
from articles.models import Article, Comment, CommentStatus, shown_top_level_q
from lifecycle.transitions import Transition, comments_transition, counters_recount
from moderation.models import Decision
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

P, H, R, W, Q = (
    CommentStatus.PUBLISHED,
    CommentStatus.HELD,
    CommentStatus.REJECTED,
    CommentStatus.WITHDRAWN,
    CommentStatus.PENDING,
)


def _stored(article: Article) -> int:
    article.refresh_from_db()
    return article.shown_top_level_count


def _counted(article: Article) -> int:
    return Comment.objects.filter(shown_top_level_q(), article=article).count()


def _move(*moves: tuple[Comment, str]) -> None:
    """The moves as one batch of transitions, on freshly locked rows."""
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Comment.objects.select_for_update().filter(
                pk__in=[c.pk for c, _ in moves]
            )
        }
        comments_transition(
            [
                Transition(
                    comment=locked[c.pk], to_status=s, source=Decision.Source.MODERATOR
                )
                for c, s in moves
            ]
        )


def _pages(article: Article) -> tuple[int, int]:
    """What a reader's first page says: (top-level comments, pages of 2)."""
    article.refresh_from_db()
    page = selectors.thread_page(article=article, per_page=2)
    return page.total_top_level, page.num_pages


def test_a_thread_page_counts_what_readers_see_through_every_kind_of_change() -> None:
    # given a story with one published comment and one waiting
    article = make_article()
    first = make_comment(article=article)
    second = make_comment(article=article, status=Q)
    assert _pages(article) == (1, 1)
    # when the waiting one is published, and a reply is published under the first
    _move((second, P))
    reply = make_comment(article=article, parent=first, status=Q)
    _move((reply, P))
    assert _pages(article) == (2, 1)
    # when the first is withdrawn it stays as a tombstone for its reply
    _move((first, W))
    assert _pages(article) == (2, 1)
    # when the reply is removed, the tombstone goes; when published again, it is back
    _move((reply, R))
    assert _pages(article) == (1, 1)
    _move((reply, P))
    assert _pages(article) == (2, 1)
    # when the second is removed with no replies, it goes
    _move((second, R))
    assert _pages(article) == (1, 1)
    # a removed top-level comment with no replies that comes back counts again
    _move((second, P))
    assert _pages(article) == (2, 1)
    assert _stored(article) == _counted(article) == 2


def test_an_edited_comment_back_in_review_leaves_with_its_replies_and_returns() -> None:
    # given a published comment with a published reply
    article = make_article()
    top = make_comment(article=article)
    make_comment(article=article, parent=top)
    assert _stored(article) == 1
    # when it goes back to review (an edit), neither is shown
    _move((top, Q))
    assert _stored(article) == _counted(article) == 0
    # when its author withdraws it while it waits, it is a tombstone for the reply
    _move((top, W))
    assert _stored(article) == _counted(article) == 1


def test_a_comment_and_its_reply_changing_in_one_batch_count_once() -> None:
    # given a withdrawn comment whose only reply waits
    article = make_article()
    top = make_comment(article=article, status=W)
    reply = make_comment(article=article, parent=top, status=H)
    deep = make_comment(article=article, parent=reply, status=H)
    assert _stored(article) == 0
    # when the reply and a reply to it are published in one batch
    _move((reply, P), (deep, P))
    assert _stored(article) == _counted(article) == 1
    # when the top comment is published while its reply is removed, in one batch
    _move((top, P), (reply, R))
    assert _stored(article) == _counted(article) == 1
    # when the top is removed and the last published reply under it too
    _move((top, R), (deep, R))
    assert _stored(article) == _counted(article) == 0


def test_random_batches_over_two_stories_keep_every_count_exact() -> None:
    rng = random.Random(7)
    stories = [make_article(), make_article()]
    comments: list[Comment] = []
    for story in stories:
        for _ in range(4):
            top = make_comment(article=story, status=rng.choice([P, Q, H]))
            comments.append(top)
            parent = top
            for _ in range(rng.randrange(3)):
                parent = make_comment(
                    article=story, parent=parent, status=rng.choice([P, Q, H])
                )
                comments.append(parent)
    counters_recount()
    for _ in range(60):
        batch = rng.sample(comments, rng.randrange(1, 5))
        _move(*((c, rng.choice([P, Q, H, R, W])) for c in batch))
        for story in stories:
            assert _stored(story) == _counted(story)
    # and a full recount finds nothing to mend
    before = [_stored(s) for s in stories]
    counters_recount()
    assert [_stored(s) for s in stories] == before


def test_a_recount_mends_a_count_written_around_the_transitions() -> None:
    article = make_article()
    make_comment(article=article)
    Article.objects.filter(pk=article.pk).update(shown_top_level_count=9)
    counters_recount(article_ids=[article.pk])
    assert _stored(article) == 1


def test_the_migration_fills_the_count_of_existing_stories() -> None:
    # given stories whose counts were never kept (as before the column existed)
    article = make_article()
    top = make_comment(article=article, status=W)
    make_comment(article=article, parent=top)
    make_comment(article=article)
    make_comment(article=article, status=H)
    Article.objects.update(shown_top_level_count=0)
    # when the migration's fill runs
    migration = import_module("articles.migrations.0012_article_shown_top_level_count")
    migration.fill(django_apps, None)
    # then each story has its count
    assert _stored(article) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (SQLite locks the whole file)",
)
def test_two_workers_moving_replies_under_the_same_tombstones_lose_nothing() -> None:
    """Batches under one story are serialised on the story's row, and each reads
    the rows as the previous one left them: two threads publishing and removing
    replies under the same withdrawn comments keep the count exact."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    # given withdrawn top-level comments, each with replies for two workers
    article = make_article()
    tops = [make_comment(article=article, status=W) for _ in range(3)]
    replies = {
        worker: [
            make_comment(article=article, parent=top, status=H)
            for top in tops
            for _ in range(2)
        ]
        for worker in (0, 1)
    }
    counters_recount()

    def work(worker: int) -> None:
        rng = random.Random(worker)
        try:
            for _ in range(40):
                batch = rng.sample(replies[worker], rng.randrange(1, 4))
                _move(*((c, rng.choice([P, P, R, H])) for c in batch))
        finally:
            connections.close_all()

    # when both move their replies at once
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(work, (0, 1)))
    # then the stored count is what the comments give
    connection.close()
    assert _stored(article) == _counted(article)
