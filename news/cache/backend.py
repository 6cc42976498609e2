"""Django's Redis cache backend, made to survive Redis going away.

Reader pages must answer while Redis restarts or the network blips. Every cache call here that
fails with a Redis error is a miss (``get`` returns the default, writes do nothing) instead of a
500; the failure is logged once per outage, and for the next second this process does not even
try (a Redis that hangs would otherwise cost every request its socket timeout). After that the
next call tries again, and the first one that succeeds logs the recovery and marks every cached
page stale (news/cache/'s epoch stamp): changes made meanwhile could not mark theirs, so pages
cached before the outage must not be served as fresh. A write Redis refuses because it is full
(``maxmemory`` with ``noeviction``) is not an outage: it is simply not kept (deletes still work,
and they are how changes reach readers).
"""
import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError, ResponseError

from news.cache import EPOCH, stamp_key

log = logging.getLogger("news.cache")
RETRY_SECONDS = 1.0

# Per Redis location and process (Django makes a cache object per thread): when to try again.
_retry_at = {}
_lock = threading.Lock()


def _forgiving(fallback):
    """Wrap a cache method: on a Redis error, ``fallback(*args, **kwargs)`` is its answer."""

    def decorate(method):
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            location = self._servers[0]
            if location in _retry_at and not self._recovered(location):
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                if isinstance(error, ResponseError) and str(error).startswith("OOM"):
                    return fallback(*args, **kwargs)  # full: not kept, not an outage
                with _lock:
                    first = location not in _retry_at
                    _retry_at[location] = time.monotonic() + RETRY_SECONDS
                if first:
                    log.warning("共享缓存（Redis %s）不可用，页面照常生成但不经缓存：%s", location, error)
                return fallback(*args, **kwargs)

        return wrapped

    return decorate


def _answer(value):
    return lambda *args, **kwargs: value


def _default(key, default=None, *args, **kwargs):
    return default


def _unavailable(*args, **kwargs):
    raise ValueError("缓存不可用")  # what Django's incr() raises for a key it cannot find


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose failures are misses (see the module docstring)."""

    def in_outage(self):
        """Whether this process last found Redis unreachable (and has not reached it since)."""
        return self._servers[0] in _retry_at

    def _recovered(self, location):
        """During an outage: False until the retry time; then the first thing Redis hears is that
        every page is stale, and when that works the outage is over."""
        with _lock:
            if time.monotonic() < _retry_at.get(location, 0):
                return False
            _retry_at[location] = time.monotonic() + RETRY_SECONDS  # other threads wait meanwhile
        try:
            RedisCache.delete(self, stamp_key(EPOCH))
        except RedisError:
            return False
        with _lock:
            _retry_at.pop(location, None)
        log.warning("共享缓存（Redis %s）已恢复", location)
        return True

    add = _forgiving(_answer(False))(RedisCache.add)
    get = _forgiving(_default)(RedisCache.get)
    set = _forgiving(_answer(None))(RedisCache.set)
    touch = _forgiving(_answer(False))(RedisCache.touch)
    delete = _forgiving(_answer(False))(RedisCache.delete)
    get_many = _forgiving(lambda *args, **kwargs: {})(RedisCache.get_many)
    has_key = _forgiving(_answer(False))(RedisCache.has_key)
    incr = _forgiving(_unavailable)(RedisCache.incr)
    set_many = _forgiving(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    delete_many = _forgiving(_answer(None))(RedisCache.delete_many)
    clear = _forgiving(_answer(False))(RedisCache.clear)
