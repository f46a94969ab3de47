"""Soft time limits with a real Celery worker: they stop running tasks, nothing else."""

import os
import re
import signal
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from articles.models import Comment, CommentStatus
from articles.services import comment_create
from moderation.models import ModerationSettings
from moderation.tasks import SLOT_KEY, comment_score_task
from tests.factories import make_article, make_users

from .conftest import QUEUES, Worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.worker]

# Decided one a batch, longer than the soft limit of 2 s on any machine we know.
BACKLOG = 300
CIVIL = "Thanks for covering the council vote on the bridge, comment {n}."


def _pool_processes(worker: Worker) -> list[int]:
    assert worker.proc is not None
    pid = worker.proc.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return sorted(int(child) for child in children)


def _pending() -> int:
    return Comment.objects.filter(status=CommentStatus.PENDING).count()


@pytest.fixture
def no_new_commenter_hold(transactional_db: None) -> None:
    moderation = ModerationSettings.get_or_create_current()
    moderation.new_commenter_count = 0
    moderation.save()


@pytest.mark.usefixtures("no_new_commenter_hold")
def test_a_soft_limit_signal_after_the_task_finished_leaves_the_process_alone(
    worker: Worker,
) -> None:
    """The pool's soft-limit timer can beat the result of a task that finished just
    in time (it fires before the result is read), so the signal reaches a pool
    process with no task: it is logged and ignored, not raised out of the job loop
    (which killed the process and made the pool fork and load the model again)."""
    # given a one-process worker that has scored a comment and is idle again
    article = make_article()
    (author,) = make_users(1)
    worker.start(concurrency=1)
    comment_create(article=article, author=author, body=CIVIL.format(n=1))
    wait_until(lambda: _pending() == 0, timeout=60, what="the first comment decided")
    wait_until(
        lambda: "succeeded" in worker.log.read_text(errors="replace"),
        timeout=10,
        what="the task to finish",
    )
    (pool_process,) = _pool_processes(worker)
    # when the soft-limit signal meant for that finished task arrives
    os.kill(pool_process, signal.SIGUSR1)
    time.sleep(0.5)
    # then the same process, still alive, decides the next comment
    comment_create(article=article, author=author, body=CIVIL.format(n=2))
    wait_until(lambda: _pending() == 0, timeout=30, what="the second comment decided")
    assert _pool_processes(worker) == [pool_process]
    log = worker.log.read_text(errors="replace")
    assert "soft time limit signal arrived after" in log
    assert "Pool process" not in log, "the pool process died"


@pytest.mark.usefixtures("no_new_commenter_hold")
def test_a_drain_stops_well_before_its_soft_limit(
    worker: Worker, broker: redis.Redis
) -> None:
    """A backlog longer than the soft limit is drained by tasks that each stop
    taking batches at a share of the limit: the limit never interrupts one."""
    # given waiting comments and nothing queued for them
    article = make_article()
    authors = make_users(20)
    for n in range(BACKLOG):
        comment_create(article=article, author=authors[n % 20], body=CIVIL.format(n=n))
    broker.delete(*QUEUES)
    cache.delete_many(
        [SLOT_KEY.format(n) for n in range(settings.PARLEY_SCORING_SLOTS)]
    )
    # when one drain is woken (as the sweeper does) under a 2 s soft limit, one
    # comment a batch, so the backlog takes longer than that
    worker.start(
        concurrency=1,
        CELERY_TASK_SOFT_TIME_LIMIT="2",
        CELERY_TASK_TIME_LIMIT="4",
        PARLEY_SCORING_BATCH_SIZE="1",
    )
    assert cache.add(SLOT_KEY.format(0), 1, 15)
    comment_score_task.apply_async(kwargs={"slot": 0}, soft_time_limit=2, time_limit=4)
    # then
    wait_until(lambda: _pending() == 0, timeout=90, what="the backlog decided")
    log = worker.log.read_text(errors="replace")
    took = [
        float(seconds)
        for seconds in re.findall(
            r"moderation\.score_comment\[[^\]]+\] succeeded in ([0-9.]+)s", log
        )
    ]
    # The backlog outlasted one drain (so the share mattered), and every drain
    # gave its worker back well before the 2 s limit: batches stop after 0.8 s.
    assert len(took) >= 2, f"{len(took)} drain task(s): the backlog was too short"
    assert max(took) < 1.6, f"a drain ran {max(took)} s against a 2 s soft limit"
    assert "Soft time limit" not in log
    assert "SoftTimeLimitExceeded" not in log
