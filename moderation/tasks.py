"""Thin Celery wrappers: they take ids, call services, and retry transient errors."""

import logging
from functools import partial

from celery import shared_task
from django.db import DatabaseError, transaction
from kombu.exceptions import OperationalError as BrokerError

from moderation.services import scoring

logger = logging.getLogger(__name__)

STALE_AFTER_SECONDS = 60
SWEEP_LIMIT = 1000


@shared_task(
    name="moderation.score_comment",
    acks_late=True,  # safe: scoring is idempotent (see scoring.comment_score)
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=20,
    time_limit=30,
)
def comment_score_task(comment_id: int, text_version: int) -> None:
    scoring.comment_score(comment_id=comment_id, text_version=text_version)


@shared_task(
    name="moderation.rescore_comment",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    max_retries=5,
    soft_time_limit=20,
    time_limit=30,
)
def comment_rescore_task(comment_id: int, text_version: int) -> None:
    scoring.comment_score(
        comment_id=comment_id, text_version=text_version, rescore=True
    )


def enqueue_scoring(comment_id: int, text_version: int) -> bool:
    """Queue a comment for scoring now; False (and logged) if the broker is down."""
    try:
        comment_score_task.apply_async(
            args=(comment_id, text_version),
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
        )
    except (BrokerError, OSError):
        # The comment is saved as pending; the periodic sweeper queues it again once
        # the broker answers, so a broker outage never loses a reader's comment.
        logger.warning(
            "Could not queue comment %s for scoring; the sweeper will retry.",
            comment_id,
            exc_info=True,
        )
        return False
    return True


def schedule_scoring(*, comment_id: int, text_version: int) -> None:
    """Queue scoring once the surrounding transaction commits (never before)."""
    transaction.on_commit(partial(enqueue_scoring, comment_id, text_version))


@shared_task(name="moderation.requeue_stale_pending", soft_time_limit=50, time_limit=60)
def requeue_stale_pending_task() -> int:
    """Queue again every comment pending for more than a minute."""
    stale = scoring.stale_pending_ids(
        older_than_seconds=STALE_AFTER_SECONDS, limit=SWEEP_LIMIT
    )
    queued = sum(enqueue_scoring(pk, version) for pk, version in stale)
    if stale:
        logger.info("Re-queued %s of %s stale pending comments.", queued, len(stale))
    return queued
