"""Health of the parts a comment needs: database, broker, a worker, a model."""

import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

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


def run_checks() -> list[Check]:
    return [check_database(), check_broker(), *check_worker_and_model()]
