"""Thin Celery wrappers: they take ids and call services."""

import logging
from functools import partial

from celery import shared_task
from django.db import transaction

from moderation.services.scoring import comment_score

logger = logging.getLogger(__name__)


@shared_task(name="moderation.score_comment", acks_late=True)
def comment_score_task(comment_id: int, text_version: int) -> None:
    comment_score(comment_id=comment_id, text_version=text_version)


def _enqueue(comment_id: int, text_version: int) -> None:
    try:
        comment_score_task.apply_async(args=(comment_id, text_version))
    except Exception:
        # The comment is saved as pending; the periodic sweeper queues it again once
        # the broker answers, so a broker outage never loses a reader's comment.
        logger.warning(
            "Could not queue comment %s for scoring; the sweeper will retry.",
            comment_id,
            exc_info=True,
        )


def schedule_scoring(*, comment_id: int, text_version: int) -> None:
    """Queue scoring once the surrounding transaction commits (never before)."""
    transaction.on_commit(partial(_enqueue, comment_id, text_version))
