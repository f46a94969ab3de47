"""The Celery broker's Redis transport: Kombu's, reusing one Redis client per pool.

Kombu's Redis channel builds a new `redis.Redis` for every command it sends outside
its consumer loop (`Channel.conn_or_acquire`), the LPUSH of every published task
included. Building one copies its ~170 response callbacks: measured at about 0.25 ms
of CPU per task published from the web process, more than the LPUSH itself. A
`redis.Redis` holds no connection of its own (each command takes one from the
channel's pool and gives it back) and is thread-safe, so one client per pool
serves every command; a new pool (after a fork or a reconnect) gets a new client.

Used for `redis://` brokers (config/settings/base.py, CELERY_BROKER_TRANSPORT).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    _reused: tuple[Any, Any] | None = None

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        channel: Any = self  # Kombu's stubs leave out the pool and the factory
        pool = channel.pool
        reused = self._reused
        if reused is None or reused[0] is not pool:
            reused = self._reused = (pool, channel._create_client())
        yield reused[1]


class Transport(kombu_redis.Transport):
    Channel = Channel
