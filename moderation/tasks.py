"""Thin Celery wrappers: they take ids, call services, and retry transient errors.

Scoring wake-ups are coalesced. Every comment is handed to `enqueue_scoring` with
its id and text version after commit (moderation subscribes to the lifecycle hook's
CommentSubmitted, see moderation.apps), but a scoring task is only published when one
of a few "drain slots" is free: a task holding a slot scores its own comment, then
keeps deciding waiting comments in batches until none are left, and releases its
slot before a last look. A comment committed while all slots are busy is therefore
picked up by a running task, so a backlog costs one task per batch instead of one
per comment (Celery's own overhead here is about 4 ms a task, more than scoring a
comment). Nothing depends on this for safety: slots expire if a worker dies, the
task is redelivered (acks_late), and the periodic sweeper re-queues anything left
pending past PARLEY_STALE_PENDING_SECONDS.
"""

import logging
import time
from datetime import timedelta
from typing import Any, cast

import redis
from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from kombu.exceptions import OperationalError as BrokerError

from lifecycle.events import CommentSubmitted
from moderation.services import priority, scoring, stats

logger = logging.getLogger(__name__)

SWEEP_LIMIT = 1000
SLOT_KEY = "parley:scoring-slot:{}"
SLOT_TTL_SECONDS = 15
# A drain takes no new batch after this share of the task's soft time limit (from
# the task's start) and re-queues itself if needed: the batch in flight has the rest
# of the limit to finish, so the limit never interrupts a drain that works normally.
DRAIN_SHARE_OF_SOFT_LIMIT = 0.4


def drain_seconds() -> float:
    """How long the running scoring task may drain: a share of its soft limit."""
    limits = comment_score_task.request.timelimit or (None, None)
    soft = limits[1] or comment_score_task.soft_time_limit
    return (
        float(soft or settings.CELERY_TASK_SOFT_TIME_LIMIT) * DRAIN_SHARE_OF_SOFT_LIMIT
    )


def _claim_slot() -> int | None:
    keys = [SLOT_KEY.format(slot) for slot in range(settings.PARLEY_SCORING_SLOTS)]
    # config.cache's Redis cache takes the first free slot in one round trip.
    claim_first = getattr(cache, "claim_first", None)
    if claim_first is not None:
        return cast(int | None, claim_first(keys, SLOT_TTL_SECONDS))
    # Other caches (the tests' per-process one): one read of every slot, then
    # an add for a free one.
    held = cache.get_many(keys)
    for slot, key in enumerate(keys):
        if key not in held and cache.add(key, 1, SLOT_TTL_SECONDS):
            return slot
    return None


def _gather() -> None:
    """Let the next batch gather for a moment after a small one.

    A batch costs the worker about 6 ms of CPU however few comments it takes
    (the lock, the pipeline's reads, the writes, the hooks), against about
    0.25 ms for each comment in it. While comments trickle in, a drain that
    looks again at once decides them one or two at a time and spends most of
    its CPU on that fixed part, CPU the web processes on the same machine then
    lack. A short wait makes the batches several times larger, and a comment
    is decided at most that much later. The wait is a sleep, which workers
    otherwise avoid: the drain holds its slot for exactly this work, and a
    task re-queued with a countdown cost more in Celery than the wait saves.
    """
    if settings.PARLEY_SCORING_GATHER_MS > 0:
        time.sleep(settings.PARLEY_SCORING_GATHER_MS / 1000)


def _drain(slot: int, holder: str, *, deadline: float) -> None:
    """Decide waiting comments in batches until none are left or time is up.

    The slot holds the worker's node name while it drains, so a worker that starts
    again under that name frees what its dead predecessor held (`free_slots_of`).
    """
    key = SLOT_KEY.format(slot)
    while time.monotonic() < deadline:
        cache.set(key, holder or 1, SLOT_TTL_SECONDS)
        decided = scoring.comments_score_waiting()
        if decided:
            if decided < settings.PARLEY_SCORING_BATCH_SIZE // 5:
                _gather()
            continue
        # Release first, then look once more: a comment committed meanwhile either
        # sees the free slot and queues its own task, or is seen here.
        cache.delete(key)
        if not scoring.pending_exists() or not cache.add(key, 1, SLOT_TTL_SECONDS):
            return
    comment_score_task.apply_async(kwargs={"slot": slot})


@shared_task(
    name="moderation.score_comment",
    acks_late=True,  # safe: scoring is idempotent (see scoring.comment_score)
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def comment_score_task(
    comment_id: int | None = None,
    text_version: int | None = None,
    slot: int | None = None,
) -> None:
    deadline = time.monotonic() + drain_seconds()
    if comment_id is not None and text_version is not None:
        scoring.comment_score(comment_id=comment_id, text_version=text_version)
    if slot is not None:
        holder = str(comment_score_task.request.hostname or "")
        _drain(slot, holder, deadline=deadline)


def free_slots_of(holder: str) -> int:
    """Free the drain slots a worker of this node name held when it died."""
    freed = 0
    for slot in range(settings.PARLEY_SCORING_SLOTS):
        key = SLOT_KEY.format(slot)
        if holder and cache.get(key) == holder:
            cache.delete(key)
            freed += 1
    return freed


@shared_task(
    name="moderation.rescore_comment",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    max_retries=5,
)
def comment_rescore_task(comment_id: int, text_version: int) -> None:
    scoring.comment_score(
        comment_id=comment_id, text_version=text_version, rescore=True
    )


def _publish_options() -> dict[str, Any]:
    """No queue declared before a publish on Redis; Celery's default elsewhere.

    Kombu binds a copy of the queue on every publish to look up whether it was
    declared (a seventh of what publishing cost the web process). On Redis,
    declaring only records the queue's binding for named exchanges; Celery
    sends this task through the default exchange (its routing key is the
    queue's name), which pushes onto the queue's list whether it was declared
    or not, and the workers declare the queues they consume.
    """
    url = str(settings.CELERY_BROKER_URL)
    return {"declare": []} if url.startswith(("redis://", "rediss://")) else {}


def enqueue_scoring(comment_id: int, text_version: int, *, force: bool = False) -> bool:
    """Queue a comment for scoring now; False (and logged) if the broker is down.

    Unless `force`d, no task is published while every drain slot is taken: a task
    holding a slot will decide this comment too.
    """
    slot = None
    try:
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            slot = _claim_slot()
            if slot is None and not force:
                return True
        comment_score_task.apply_async(
            args=(comment_id, text_version),
            kwargs={"slot": slot},
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
            **_publish_options(),
        )
    except (BrokerError, OSError, redis.RedisError):
        # The comment is saved as pending; the periodic sweeper queues it again once
        # the broker answers, so a broker outage never loses a reader's comment.
        if slot is not None:
            # No task holds the slot; free it so the next post can publish.
            cache.delete(SLOT_KEY.format(slot))
        logger.warning(
            "Could not queue comment %s for scoring; the sweeper will retry.",
            comment_id,
            exc_info=True,
        )
        return False
    return True


def comment_submitted_receiver(event: CommentSubmitted) -> None:
    """The lifecycle hook's subscriber: a comment's new text is committed; score it."""
    enqueue_scoring(event.comment_id, event.text_version)


@shared_task(name="moderation.requeue_stale_pending", soft_time_limit=50, time_limit=60)
def requeue_stale_pending_task() -> int:
    """Wake drains when comments have waited longer than the stale limit.

    One query on the partial index of pending comments finds them; then one drain
    task per free drain slot is queued (enough for the backlog in batches), not one
    task per comment: a drain decides every waiting comment, stale or not. Returns
    how many stale comments were found.
    """
    stale = scoring.stale_pending_ids(
        older_than_seconds=settings.PARLEY_STALE_PENDING_SECONDS, limit=SWEEP_LIMIT
    )
    if not stale:
        return 0
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker and no other process: decide them here and now.
        while scoring.comments_score_waiting():
            pass
        return len(stale)
    needed = -(-len(stale) // settings.PARLEY_SCORING_BATCH_SIZE)
    woken = 0
    for _ in range(min(needed, settings.PARLEY_SCORING_SLOTS)):
        slot = _claim_slot()
        if slot is None:
            break  # every slot is draining already
        try:
            comment_score_task.apply_async(kwargs={"slot": slot})
        except (BrokerError, OSError, redis.RedisError):
            cache.delete(SLOT_KEY.format(slot))
            logger.warning("Could not wake a drain; the next sweep retries.")
            break
        woken += 1
    logger.info("%s stale pending comments; woke %s drain task(s).", len(stale), woken)
    return len(stale)


@shared_task(name="moderation.stats_rollup", soft_time_limit=50, time_limit=60)
def stats_rollup_task() -> float:
    """Recompute the figures /metrics and the dashboard read (see services.stats)."""
    return stats.stats_rollup().took_s


@shared_task(name="moderation.priorities_expire", soft_time_limit=50, time_limit=60)
def priorities_expire_task() -> int:
    """Rank again the queued comments of authors whose suspension just ran out."""
    return priority.priorities_refresh_expired(within=timedelta(minutes=10))


@shared_task(name="moderation.priorities_wait", soft_time_limit=50, time_limit=60)
def priorities_wait_task() -> int:
    """Step up the waiting points of queued comments that waited past a step."""
    return priority.priorities_wait()


@shared_task(name="moderation.priorities_repair", soft_time_limit=50, time_limit=60)
def priorities_repair_task() -> int:
    """Rank queued comments without a row; drop rows of comments that left."""
    return priority.priorities_repair()
