"""A Redis cache that degrades instead of failing when Redis is unreachable.

The cache holds rate-limit counters, the worker heartbeat and scoring slots. Redis
is also the broker, so when it is down the comment must still be saved (and scored
later by the sweeper); a cache error must not turn that post into a 500. Reads then
miss, writes are dropped, and rate limits are not enforced until Redis is back.
"""

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis import RedisError

logger = logging.getLogger(__name__)


class TolerantRedisCache(RedisCache):
    def _warn(self, op: str) -> None:
        logger.warning("Cache %s failed: Redis unreachable; continuing without it.", op)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError:
            self._warn("get")
            return default

    def get_many(self, keys: Any, version: int | None = None) -> Any:
        try:
            return super().get_many(keys, version)
        except RedisError:
            self._warn("get_many")
            return {}

    def set(
        self, key: Any, value: Any, timeout: Any = None, version: Any = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError:
            self._warn("set")

    def add(
        self, key: Any, value: Any, timeout: Any = None, version: Any = None
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except RedisError:
            self._warn("add")
            return True

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except RedisError:
            self._warn("incr")
            return delta

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except RedisError:
            self._warn("delete")
            return False
