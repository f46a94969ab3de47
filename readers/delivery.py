"""Sending one queued email and recording every attempt (EmailDelivery)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import EmailDelivery

logger = logging.getLogger(__name__)


def email_delivery_send(*, delivery_id: int, final_attempt: bool) -> bool:
    """Send a queued email once; True if sent now. An email already sent is not sent
    again, so a task delivered twice sends it once.

    A failure is recorded (attempts, last error) and re-raised so the task retries;
    on the final attempt the delivery is marked failed.
    """
    with transaction.atomic():
        delivery = (
            EmailDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        )
        if delivery is None or delivery.status == EmailDelivery.Status.SENT:
            return False
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        delivery.save(update_fields=["attempts", "last_attempt_at"])
    try:
        send_mail(
            delivery.subject,
            delivery.body,
            settings.DEFAULT_FROM_EMAIL,
            [delivery.to_address],
        )
    except Exception as exc:
        delivery.status = (
            EmailDelivery.Status.FAILED
            if final_attempt
            else EmailDelivery.Status.RETRYING
        )
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        delivery.save(update_fields=["status", "last_error"])
        logger.warning(
            "Email delivery %s, attempt %s, failed: %s",
            delivery.pk,
            delivery.attempts,
            delivery.last_error,
        )
        raise
    delivery.status = EmailDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.save(update_fields=["status", "sent_at"])
    return True


def stuck_delivery_ids(*, older_than_seconds: int, limit: int) -> list[int]:
    """Deliveries queued long ago and never attempted: their send task was most
    likely never published (broker down). Oldest first, at most `limit`.

    A delivery with an attempt is left alone: its task exists, and Celery's retries
    (or the failed status) decide what happens next, so re-queuing it could only
    send it twice.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        EmailDelivery.objects.filter(
            status=EmailDelivery.Status.QUEUED, attempts=0, created_at__lte=cutoff
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
