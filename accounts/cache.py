"""The cache: Redis, falling back to a PostgreSQL table while Redis is unreachable.

The cache holds the login and second-factor failure counters (allauth's rate limits), the
"code already used" marks of TOTP codes and allauth's lock around them. With Redis down,
signing in must still work and still count: a lead whose session lapsed during an outage has
to get in to check the queue by hand. So every operation that meets a Redis connection error
is answered by Django's database cache instead: the counting carries on in PostgreSQL, never
fails open, and never answers 500.
"""

from __future__ import annotations

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# The table (created by accounts' migration) that answers while Redis is unreachable.
FALLBACK_TABLE = "accounts_cache_fallback"


class _ReusedRedisClient(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool.

    Django's makes a new one for every operation, which builds its table of reply handlers each
    time (60 microseconds, several times a page). A ``redis.Redis`` is safe to share: it takes a
    connection from its pool for each command.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class _RedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        # The client class RedisCache builds in ``_cache``: the one customisation point it has.
        self._class = _ReusedRedisClient


class RedisWithDatabaseFallbackCache(BaseCache):
    def __init__(self, server, params):
        super().__init__(params)
        options = dict(params.get("OPTIONS") or {})
        # Fail over quickly: an unreachable Redis must not hold up a sign-in for long.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        shared = {key: value for key, value in params.items() if key != "OPTIONS"}
        self.primary = _RedisCache(server, {**shared, "OPTIONS": options})
        self.fallback = DatabaseCache(FALLBACK_TABLE, shared)

    def _call(self, name, *args, **kwargs):
        try:
            return getattr(self.primary, name)(*args, **kwargs)
        except UNREACHABLE as error:
            logger.warning("Redis cache unreachable (%s); using the PostgreSQL fallback.", type(error).__name__)
            return getattr(self.fallback, name)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")

    def close(self, **kwargs):
        self.primary.close(**kwargs)
        self.fallback.close(**kwargs)
