"""The scoring pipeline end to end with a real Redis and a real Celery worker."""

import os

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Article, Comment, CommentStatus
from articles.services import comment_create, comment_edit
from config.celery_app import app as celery_app
from moderation.models import CommentScore, Decision, ModerationSettings
from moderation.services.thresholds import hold_threshold_in_force
from moderation.tasks import SLOT_KEY, requeue_stale_pending_task
from tests.factories import make_article, make_users

from .conftest import Worker, wait_until

# Every test here starts a real Celery worker process: `pytest -m worker` runs them
# alone, `pytest -m "not worker"` skips them.
pytestmark = [pytest.mark.integration, pytest.mark.worker]

CIVIL = "Thanks for covering the council vote on the bridge, comment {n}."
TOXIC = "You are a pathetic idiot and a moron, number {n}, shut up."


def _use_broker(url: str) -> None:
    """Point this process's Celery app at another broker address."""
    celery_app.conf.broker_url = url  # type: ignore[misc]
    # The connection and producer pools are built from broker_url on first use.
    celery_app._pool = None  # type: ignore[attr-defined]
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]


def _pending() -> int:
    return Comment.objects.filter(status=CommentStatus.PENDING).count()


def _one_pipeline_decision_each(ids: list[int]) -> None:
    counts = dict(
        Decision.objects.filter(comment_id__in=ids, source=Decision.Source.PIPELINE)
        .values_list("comment_id")
        .annotate(n=Count("pk"))
        .values_list("comment_id", "n")
    )
    assert len(counts) == len(ids), "every comment has a pipeline decision"
    assert set(counts.values()) == {1}, "and exactly one"


def _post_many(article: Article, authors: list[User], count: int) -> list[int]:
    ids: list[int] = []
    for n in range(count):
        author = authors[n % len(authors)]
        client = APIClient()
        client.force_authenticate(author)
        body = (TOXIC if n % 4 == 0 else CIVIL).format(n=n)
        response = client.post(
            f"/api/v1/articles/{article.slug}/comments/", {"body": body}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "pending"
        ids.append(response.json()["id"])
    return ids


@pytest.fixture
def no_new_commenter_hold(transactional_db: None) -> None:
    settings = ModerationSettings.get_or_create_current()
    settings.new_commenter_count = 0
    settings.save()


@pytest.mark.usefixtures("no_new_commenter_hold")
def test_200_comments_posted_through_the_api_are_all_decided_once(
    worker: Worker,
) -> None:
    """200 API posts are each decided exactly once, as the thresholds say."""
    # given
    article = make_article()
    authors = make_users(25)
    worker.start()
    # when
    ids = _post_many(article, authors, 200)
    wait_until(lambda: _pending() == 0, timeout=120, what="all comments decided")
    # then
    _one_pipeline_decision_each(ids)
    # the model's operating point unless a moderator set one
    threshold = hold_threshold_in_force().value
    scores = dict(
        CommentScore.objects.filter(comment_id__in=ids).values_list(
            "comment_id", "toxicity"
        )
    )
    for comment in Comment.objects.filter(pk__in=ids):
        expected = (
            CommentStatus.HELD
            if scores[comment.pk] >= threshold
            else CommentStatus.PUBLISHED
        )
        assert comment.status == expected, (comment.body, scores[comment.pk])
    assert Comment.objects.filter(pk__in=ids, status=CommentStatus.HELD).count() >= 40


@pytest.mark.usefixtures("no_new_commenter_hold")
def test_worker_killed_mid_batch_loses_nothing(worker: Worker) -> None:
    """SIGKILL in the middle of a batch: a new worker decides every comment once."""
    # given 300 comments queued while no worker runs
    article = make_article()
    ids = _post_many(article, make_users(30), 300)
    # when a worker (in small batches, so the kill lands mid-way) starts, gets
    # part-way and is killed without warning
    worker.start(PARLEY_SCORING_BATCH_SIZE="5")
    wait_until(lambda: _pending() <= 280, timeout=60, what="the first decisions")
    worker.kill()
    assert _pending() > 0, "the kill happened mid-batch"
    worker.start()
    # then (unacknowledged tasks come back after the visibility timeout)
    wait_until(lambda: _pending() == 0, timeout=120, what="all comments decided")
    _one_pipeline_decision_each(ids)


@pytest.mark.usefixtures("no_new_commenter_hold")
def test_posts_succeed_while_redis_is_unreachable_and_are_decided_later(
    worker: Worker, broker: redis.Redis
) -> None:
    """With the broker unreachable posts still answer 201; the sweeper recovers."""
    # given the web side's broker is an address where nothing answers
    article = make_article()
    authors = make_users(5)
    real_url = celery_app.conf.broker_url
    _use_broker("redis://127.0.0.1:1/0")
    try:
        # when
        ids = _post_many(article, authors, 20)
    finally:
        _use_broker(real_url)
    assert broker.llen("scoring") == 0, "nothing reached the broker"
    assert _pending() == 20
    assert not any(
        cache.get(SLOT_KEY.format(n)) for n in range(settings.PARLEY_SCORING_SLOTS)
    ), "failed publishes leave no drain slot taken"
    # then once the broker is back, the sweeper queues them and the worker decides
    worker.start()
    with override_settings(PARLEY_STALE_PENDING_SECONDS=0):
        requeue_stale_pending_task.apply()  # the beat task, run now
    wait_until(lambda: _pending() == 0, timeout=60, what="swept comments decided")
    _one_pipeline_decision_each(ids)


@pytest.mark.usefixtures("no_new_commenter_hold")
def test_comment_edited_before_its_first_version_is_scored_is_decided_on_new_text(
    worker: Worker,
) -> None:
    """The stale task for version 1 is dropped; version 2 is decided."""
    # given a civil comment queued for scoring, then edited to abuse
    article = make_article()
    (author,) = make_users(1)
    comment, _ = comment_create(article=article, author=author, body=CIVIL.format(n=1))
    comment_edit(comment=comment, editor=author, body=TOXIC.format(n=1))
    # when
    worker.start()
    wait_until(lambda: _pending() == 0, timeout=60, what="the comment decided")
    # then
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HELD
    pipeline = Decision.objects.filter(comment=comment, source=Decision.Source.PIPELINE)
    assert [(d.text_version, d.to_status) for d in pipeline] == [(2, "held")]
    assert CommentScore.objects.get(comment=comment).text_version == 2


def test_healthz_reports_the_worker_and_its_model(worker: Worker) -> None:
    """/healthz is 503 naming the worker until one reports, then 200 with its model."""
    from django.test import Client

    redis_cache = {
        "default": {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": "parley",
        }
    }
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CACHES=redis_cache):
        cache.delete("parley:worker-heartbeat")
        before = Client().get("/healthz")
        assert before.status_code == 503
        assert "worker" in before.json()["failing"]
        worker.start()
        wait_until(
            lambda: Client().get("/healthz").status_code == 200,
            timeout=60,
            what="the worker's heartbeat",
        )
        checks = Client().get("/healthz").json()["checks"]
    assert checks["model"]["detail"].startswith("tox-")
    assert checks["broker"]["ok"]


def test_a_restarted_worker_frees_the_drain_slots_its_dead_predecessor_held(
    worker: Worker,
) -> None:
    """Slots held under the worker's node name are freed when it starts again;
    another worker's slot is left alone."""
    # given a worker of this name died holding two slots; another one holds a third
    name = f"restart-{os.getpid()}@test"
    cache.set(SLOT_KEY.format(0), name, 600)
    cache.set(SLOT_KEY.format(1), name, 600)
    cache.set(SLOT_KEY.format(2), "someone-else@test", 600)
    # when
    worker.start(name=name)
    # then
    wait_until(
        lambda: (
            cache.get(SLOT_KEY.format(0)) is None
            and cache.get(SLOT_KEY.format(1)) is None
        ),
        timeout=60,
        what="the dead worker's slots freed",
    )
    assert cache.get(SLOT_KEY.format(2)) == "someone-else@test"
