"""A Redis cache that degrades instead of failing when Redis is unreachable.

The cache holds rate-limit counters, the worker heartbeat and scoring slots. Redis
is also the broker, so when it is down the comment must still be saved (and scored
later by the sweeper); a cache error must not turn that post into a 500. Reads then
miss, writes are dropped, and rate limits are not enforced until Redis is back.

It is also Django's Redis cache made cheaper per call, because a cached thread
read is one cache call and little else: one `redis.Redis` per connection pool
instead of one per call (building one copies its ~170 response callbacks, which
took longer than the round trip itself), and keys are not checked for memcached's
rules, which Redis does not have.
"""

import logging
from typing import Any, cast

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import Redis, RedisError
from redis.commands.core import Script

logger = logging.getLogger(__name__)


# core.throttles' two counters: start the current window's at 0 (expiring) unless
# it exists, count one, and read the previous window's; one command, not three.
_WINDOW_COUNTS = """
redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX')
return {redis.call('INCR', KEYS[1]), redis.call('GET', KEYS[2])}
"""
# The first of KEYS that is free, taken (SET NX with a lifetime): its index, or -1.
_CLAIM_FIRST = """
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'EX', ARGV[2], 'NX') then return i - 1 end
end
return -1
"""
# articles.cache's story versions: one more, or `fresh` when the key is missing
# (never read, evicted); one command, not Django's EXISTS then INCRBY. Nothing is
# returned: Lua numbers are doubles, and a version (nanoseconds) has 19 digits.
_INCR_OR_SET = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
"""


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one `redis.Redis` per pool (it is thread-safe and
    holds no connection itself: each command takes one from the pool)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Redis] = {}
        self._scripts: dict[tuple[int, str], Script] = {}

    def script(self, source: str) -> Script:
        """`source` as a script of the writing client: EVALSHA, loaded again if
        Redis has forgotten it (a restart)."""
        client = self.get_client(write=True)
        found = self._scripts.get((id(client), source))
        if found is None:
            found = self._scripts[(id(client), source)] = client.register_script(source)
        return found

    def get_client(self, key: Any = None, *, write: bool = False) -> Redis:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = Redis(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def _script(self, source: str) -> Script:
        return cast(ReusingRedisCacheClient, self._cache).script(source)

    def validate_key(self, key: Any) -> None:
        """Redis takes any key; memcached's length and character checks (a loop
        over every character on every call) do not apply."""

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

    def incr_or_set(self, key: str, fresh: int) -> None:
        """Add one to the integer at `key`, or set it to `fresh` (never expiring)
        when it is missing, in one round trip."""
        try:
            self._script(_INCR_OR_SET)([self.make_and_validate_key(key)], [fresh])
        except RedisError:
            self._warn("incr_or_set")

    def counter_add(self, key: str, n: int = 1) -> None:
        """Add `n` to the counter at `key` (created at 0, never expiring) in one
        round trip; Django's `incr` asks whether the key exists first."""
        try:
            self.get_client_for_write().incrby(self.make_and_validate_key(key), n)
        except RedisError:
            self._warn("counter_add")

    def write_many(
        self, sets: list[tuple[str, Any, Any]], counts: list[tuple[str, int]]
    ) -> None:
        """Store `sets` ((key, value, timeout) each, as `set` would) and add to
        `counts` ((key, n) each, as `counter_add` would) in one round trip."""
        serializer = self._cache._serializer  # type: ignore[attr-defined]
        pipe = self.get_client_for_write().pipeline(transaction=False)
        for key, value, timeout in sets:
            made = self.make_and_validate_key(key)
            seconds = self.get_backend_timeout(timeout)
            if seconds == 0:
                pipe.delete(made)
            else:
                expiry = None if seconds is None else int(seconds)
                pipe.set(made, serializer.dumps(value), ex=expiry)
        for key, n in counts:
            pipe.incrby(self.make_and_validate_key(key), n)
        try:
            pipe.execute()
        except RedisError:
            self._warn("write_many")

    def get_client_for_write(self) -> Redis:
        return cast(ReusingRedisCacheClient, self._cache).get_client(write=True)

    def window_counts(
        self, current: str, previous: str, timeout: int
    ) -> tuple[int, int]:
        """core.throttles' two counters in one round trip: start `current` at 0
        (expiring after `timeout` s) unless it exists, add one, and read
        `previous`."""
        keys = [
            self.make_and_validate_key(current),
            self.make_and_validate_key(previous),
        ]
        try:
            now, before = self._script(_WINDOW_COUNTS)(keys, [timeout])
        except RedisError:
            self._warn("window_counts")
            return 1, 0
        return int(now), int(before or 0)

    def claim_first(self, keys: list[str], timeout: int) -> int | None:
        """moderation.tasks' drain slots: take the first of `keys` that no one
        holds (set to 1 for `timeout` seconds), in one round trip; its index, or
        None when all are held. With Redis unreachable the first is "taken", as
        `add` would answer (the publish that follows fails and frees it)."""
        made = [self.make_and_validate_key(key) for key in keys]
        try:
            index = int(self._script(_CLAIM_FIRST)(made, [1, timeout]))
        except RedisError:
            self._warn("claim_first")
            return 0
        return None if index < 0 else index
