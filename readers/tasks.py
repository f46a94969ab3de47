"""Thin Celery wrappers: ids in, services do the work, transient errors retry."""

import logging
from collections.abc import Sequence
from functools import partial
from smtplib import SMTPException

from celery import Task, shared_task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

from . import delivery, iphash

logger = logging.getLogger(__name__)

EMAIL_MAX_RETRIES = 3
STUCK_EMAIL_SECONDS = 5 * 60
STUCK_EMAIL_LIMIT = 200


@shared_task(
    bind=True,
    name="readers.send_email",
    acks_late=True,  # safe: a delivery already sent is never sent again
    reject_on_worker_lost=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=EMAIL_MAX_RETRIES,
)
def send_email_task(self: Task, delivery_id: int) -> bool:
    return delivery.email_delivery_send(
        delivery_id=delivery_id,
        final_attempt=self.request.retries >= EMAIL_MAX_RETRIES,
    )


def enqueue_email(delivery_id: int) -> bool:
    try:
        send_email_task.delay(delivery_id)
    except (BrokerError, OSError):
        # The delivery row keeps its status and last error for staff to see.
        logger.warning(
            "Email delivery %s was not queued or not sent; its row says why.",
            delivery_id,
            exc_info=True,
        )
        return False
    return True


def schedule_email(*, delivery_id: int) -> None:
    """Send the email once the surrounding transaction commits (never before)."""
    transaction.on_commit(partial(enqueue_email, delivery_id))


def enqueue_emails(delivery_ids: Sequence[int]) -> int:
    """Queue many deliveries over one broker connection; stops at the first
    failure (the rest stay queued for `requeue_stuck_emails_task`)."""
    queued = 0
    try:
        with send_email_task.app.producer_or_acquire() as producer:
            for delivery_id in delivery_ids:
                send_email_task.apply_async((delivery_id,), producer=producer)
                queued += 1
    except (BrokerError, OSError):
        logger.warning(
            "%s of %s email deliveries were not queued; the stuck-email job "
            "queues them again.",
            len(delivery_ids) - queued,
            len(delivery_ids),
            exc_info=True,
        )
    return queued


def schedule_emails(*, delivery_ids: Sequence[int]) -> None:
    """Queue the emails together once the surrounding transaction commits."""
    if delivery_ids:
        transaction.on_commit(partial(enqueue_emails, list(delivery_ids)))


@shared_task(name="readers.purge_ip_hashes", soft_time_limit=50, time_limit=60)
def purge_ip_hashes_task() -> int:
    return iphash.ip_hashes_purge()


@shared_task(name="readers.requeue_stuck_emails", soft_time_limit=50, time_limit=60)
def requeue_stuck_emails_task() -> int:
    """Queue again the emails whose send task was never published (5 minutes)."""
    stuck = delivery.stuck_delivery_ids(
        older_than_seconds=STUCK_EMAIL_SECONDS, limit=STUCK_EMAIL_LIMIT
    )
    queued = 0
    for delivery_id in stuck:
        if not enqueue_email(delivery_id):
            break  # The broker is still down; the next run tries again.
        queued += 1
    if stuck:
        logger.info("Re-queued %s of %s stuck emails.", queued, len(stuck))
    return queued
