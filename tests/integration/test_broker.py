"""Publishing tasks to the real Redis broker from the web process."""

import json
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from config import broker as parley_broker
from config.celery_app import app as celery_app
from moderation.tasks import SLOT_KEY, comment_score_task, enqueue_scoring


def test_tasks_published_from_the_web_process_share_one_redis_client(
    broker: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each published scoring task reaches the broker's queue, and all of them are
    sent with one Redis client: Kombu's own transport built a new client for every
    task, which cost more CPU than sending it."""
    # given: the broker's transport, counting the Redis clients it builds to send
    # (a channel also builds one to consume, once)
    built: list[Any] = []
    create: Any = getattr(parley_broker.Channel, "_create_client")  # noqa: B009

    def counted(self: Any, asynchronous: bool = False) -> Any:
        client = create(self, asynchronous)
        if not asynchronous:
            built.append(client)
        return client

    monkeypatch.setattr(parley_broker.Channel, "_create_client", counted)
    with celery_app.connection_for_write() as conn:
        assert isinstance(conn.transport, parley_broker.Transport)
    # when
    for comment_id in (101, 102, 103):
        comment_score_task.apply_async(args=(comment_id, 1), kwargs={"slot": None})
    # then
    queued = [json.loads(m) for m in broker.lrange("scoring", 0, -1)]
    assert (
        sorted(m["headers"]["task"] for m in queued) == ["moderation.score_comment"] * 3
    )
    assert sorted(m["headers"]["argsrepr"] for m in queued) == [
        "(101, 1)",
        "(102, 1)",
        "(103, 1)",
    ]
    assert len(built) <= 1  # none if this process's channel already had one


def test_a_scoring_task_is_queued_only_while_a_drain_slot_is_free(
    broker: redis.Redis,
) -> None:
    """A committed comment takes the first free drain slot and queues one task
    holding it; while every slot is held (running drains will decide it) no task
    is queued for the next comment."""
    # given every drain slot but the last is held by a running drain
    slots = settings.PARLEY_SCORING_SLOTS
    for slot in range(slots - 1):
        assert cache.add(SLOT_KEY.format(slot), "worker@host", 15)
    # when
    first = enqueue_scoring(201, 1)
    second = enqueue_scoring(202, 1)
    # then: one task, for the first comment, holding the last slot
    queued = [json.loads(m) for m in broker.lrange("scoring", 0, -1)]
    assert first
    assert second
    assert [m["headers"]["argsrepr"] for m in queued] == ["(201, 1)"]
    assert queued[0]["headers"]["kwargsrepr"] == f"{{'slot': {slots - 1}}}"
    assert cache.get(SLOT_KEY.format(slots - 1)) == 1
    assert cache.get(SLOT_KEY.format(0)) == "worker@host"


def test_a_scoring_task_is_published_as_celery_publishes_it(
    broker: redis.Redis,
) -> None:
    """`enqueue_scoring` skips declaring the queue before it publishes; the
    message it queues is the one Celery's own `apply_async` queues (its ids
    aside), on the same queue."""
    # given every drain slot free
    # when
    assert enqueue_scoring(301, 2)
    comment_score_task.apply_async(
        args=(301, 2),
        kwargs={"slot": 0},
        retry=True,
        retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
    )
    # then
    ours, celerys = (json.loads(m) for m in reversed(broker.lrange("scoring", 0, -1)))
    for message in (ours, celerys):
        for key in ("id", "root_id"):
            message["headers"].pop(key)
        for key in ("correlation_id", "delivery_tag"):
            message["properties"].pop(key)
    assert ours == celerys
    assert ours["headers"]["argsrepr"] == "(301, 2)"
    assert ours["properties"]["delivery_info"] == {
        "exchange": "",
        "routing_key": "scoring",
    }
