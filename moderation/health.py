"""Health of the parts a comment needs: database, broker, a worker, a model."""

import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Min
from django.utils import timezone

from articles.models import Comment, CommentStatus
from moderation.services import registry
from moderation.signals import HEARTBEAT_KEY

HEARTBEAT_STALE_SECONDS = 45


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return Check("database", False, f"unreachable: {exc}")
    return Check("database", True, connection.vendor)


def check_broker() -> Check:
    url = settings.REDIS_URL
    if not url:
        return Check("broker", True, "none: tasks run in-process")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:
        return Check("broker", False, f"Redis unreachable: {exc}")
    return Check("broker", True, "redis")


def check_worker_and_model() -> list[Check]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Tasks run in this process, so this process's model is the one that scores.
        state = registry.warm()
        return [
            Check("worker", True, "in-process"),
            Check("model", state.error is None, state.version or str(state.error)),
        ]
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception as exc:
        beat = None
        error = f"heartbeat unreadable: {exc}"
    else:
        error = "no worker has reported; start `celery -A config worker`"
    if not beat:
        return [
            Check("worker", False, error),
            Check("model", False, "unknown: no worker"),
        ]
    age = time.time() - float(beat["at"])
    worker = Check(
        "worker",
        age <= HEARTBEAT_STALE_SECONDS,
        f"last heartbeat {age:.0f}s ago (pid {beat['pid']})",
    )
    if beat.get("model_version"):
        model = Check("model", True, str(beat["model_version"]))
    else:
        model = Check(
            "model",
            False,
            f"not loaded: {beat.get('model_error')}; comments are held for review",
        )
    return [worker, model]


def oldest_pending_seconds() -> float:
    """How long the comment waiting longest for a decision has waited (0 if none).

    One indexed query (the partial index on pending comments' status_changed_at).
    """
    since = Comment.objects.filter(status=CommentStatus.PENDING).aggregate(
        oldest=Min("status_changed_at")
    )["oldest"]
    if since is None:
        return 0.0
    return max(0.0, (timezone.now() - since).total_seconds())


def check_backlog() -> Check:
    limit = settings.PARLEY_PENDING_ALERT_SECONDS
    try:
        age = oldest_pending_seconds()
    except Exception as exc:
        return Check("backlog", False, f"unreadable: {exc}")
    return Check(
        "backlog",
        age <= limit,
        f"oldest pending comment waiting {age:.0f}s (unhealthy above {limit}s)",
    )


def run_checks() -> list[Check]:
    return [
        check_database(),
        check_broker(),
        *check_worker_and_model(),
        check_backlog(),
    ]
