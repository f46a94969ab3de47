"""Publishing tasks to the real Redis broker from the web process."""

import json
from typing import Any

import pytest
import redis

from config import broker as parley_broker
from config.celery_app import app as celery_app
from moderation.tasks import comment_score_task


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
