"""Real parts: the test database, a real Redis and a real `celery worker` process.

These tests skip only when REDIS_URL is unset (a bare machine); CI sets it.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from config.celery_app import app as celery_app
from moderation.tasks import SLOT_KEY

ROOT = Path(__file__).resolve().parents[2]
QUEUES = ("scoring", "default")
REDIS_CACHE = {
    "default": {
        "BACKEND": "config.cache.TolerantRedisCache",
        "LOCATION": os.environ.get("REDIS_URL", ""),
        "KEY_PREFIX": "parley",  # the worker's (local settings)
    }
}


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("REDIS_URL"):
        return
    skip = pytest.mark.skip(
        reason="REDIS_URL is unset: integration tests need a real Redis and worker"
    )
    for item in items:
        if "integration" in str(item.fspath):
            item.add_marker(skip)


class Worker:
    """A `celery worker` subprocess consuming the real queues of the test database."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(
        self, *, concurrency: int = 1, name: str | None = None, **extra_env: str
    ) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_VISIBILITY_TIMEOUT": "5",
            **extra_env,
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                ",".join(QUEUES),
                "--concurrency",
                str(concurrency),
                "--without-mingle",
                "--without-gossip",
                "-l",
                "INFO",
                "-n",
                name or f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: no clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc = None


def _reset_shared_cache(client: redis.Redis) -> None:
    # Not cache.clear(): the broker's queues live in the same Redis database.
    cache.delete_many(
        [SLOT_KEY.format(n) for n in range(settings.PARLEY_SCORING_SLOTS)]
    )
    # Rate-limit counters of earlier tests (user ids repeat between runs).
    stale = list(client.scan_iter("parley:*throttle_*"))
    if stale:
        client.delete(*stale)


@pytest.fixture
def broker(transactional_db: None) -> Iterator[redis.Redis]:
    """Tasks go to the real Redis (not eagerly) from the test process."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(*QUEUES, "unacked", "unacked_index")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    # The web side and the worker share one cache, as in production: the scoring
    # slots and the worker heartbeat live there.
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CACHES=REDIS_CACHE):
        _reset_shared_cache(client)
        yield client
        _reset_shared_cache(client)
    celery_app.conf.task_always_eager = eager
    client.delete(*QUEUES, "unacked", "unacked_index")


@pytest.fixture
def worker(broker: redis.Redis, tmp_path: Path) -> Iterator[Worker]:
    w = Worker(tmp_path / "worker.log")
    yield w
    w.stop()
    sys.stdout.write(
        w.log.read_text(errors="replace")[-3000:] if w.log.exists() else ""
    )


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
