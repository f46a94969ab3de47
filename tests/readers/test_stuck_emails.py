from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from readers.models import EmailDelivery
from readers.tasks import requeue_stuck_emails_task


def _delivery(*, minutes_ago: int, **fields: object) -> EmailDelivery:
    return EmailDelivery.objects.create(
        to_address="r@example.org",
        subject="s",
        body="b",
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        **fields,
    )


@pytest.mark.django_db
def test_an_email_never_queued_is_sent_by_the_sweep() -> None:
    """An email queued over 5 minutes ago and never attempted is sent once."""
    # given
    stuck = _delivery(minutes_ago=6)
    fresh = _delivery(minutes_ago=1)
    # when
    requeued = requeue_stuck_emails_task.apply().get()
    # then
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert requeued == 1
    assert stuck.status == EmailDelivery.Status.SENT
    assert fresh.status == EmailDelivery.Status.QUEUED
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_never_sends_an_email_twice() -> None:
    """Running the sweep again sends nothing more; sent, retrying, failed and
    already attempted deliveries are left alone."""
    # given
    stuck = _delivery(minutes_ago=10)
    for status in ("sent", "retrying", "failed"):
        _delivery(minutes_ago=10, status=status, attempts=1)
    _delivery(minutes_ago=10, attempts=1)  # a send in flight
    # when
    first = requeue_stuck_emails_task.apply().get()
    second = requeue_stuck_emails_task.apply().get()
    # then
    assert (first, second) == (1, 0)
    assert [m.to for m in mail.outbox] == [[stuck.to_address]]


@pytest.mark.django_db
def test_the_sweep_stops_while_the_broker_is_down() -> None:
    """With the broker still down the deliveries stay queued for the next run."""
    # given
    deliveries = [_delivery(minutes_ago=6) for _ in range(3)]
    # when
    with mock.patch(
        "readers.tasks.send_email_task.delay", side_effect=OperationalError("down")
    ) as delay:
        requeued = requeue_stuck_emails_task.apply().get()
    # then
    assert requeued == 0
    assert delay.call_count == 1
    assert {
        d.status
        for d in EmailDelivery.objects.filter(pk__in=[d.pk for d in deliveries])
    } == {EmailDelivery.Status.QUEUED}
    assert not mail.outbox


def test_the_sweep_runs_periodically() -> None:
    """Celery beat runs the sweep."""
    # given
    schedule = settings.CELERY_BEAT_SCHEDULE
    # when
    tasks = {entry["task"] for entry in schedule.values()}
    # then
    assert "readers.requeue_stuck_emails" in tasks
