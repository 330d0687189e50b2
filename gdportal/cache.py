"""The cache, as the optimisation it is: every caller goes through these helpers, never `cache.` directly.

In production the cache is Redis. When Redis is down, refused or slow, Django's backend raises on every call,
and a page that only wanted a hint (the non-working days, the regional offices, a rate-limit counter) would
answer 500 — no filing at all during an outage of a component that holds nothing of record. Here a cache
fault is logged and answered as a miss, so the caller computes the value from the database instead.
Sessions and login lockouts (django-axes) live in the database, not here, so they are unaffected.
"""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

try:  # the embedded profile's file cache raises OSError; Redis raises its own errors
    from redis.exceptions import RedisError

    CACHE_ERRORS = (RedisError, OSError)
except ImportError:  # pragma: no cover — redis is a dependency, but the file cache does not need it
    CACHE_ERRORS = (OSError,)

MISSING = object()
# After a fault this process leaves the cache alone for a while: a Redis that hangs rather than refuses would
# cost every call its socket timeout (settings.CACHES). Deletes are still tried (see cache_delete).
PAUSE_AFTER_FAULT = 15.0
_paused_until = 0.0


def _paused():
    return time.monotonic() < _paused_until


def _unavailable(operation, key, exc):
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_AFTER_FAULT
    logger.warning(
        "cache unavailable (%s %s: %s: %s); using the database", operation, key, type(exc).__name__, exc
    )


def cache_get(key, default=None):
    if _paused():
        return default
    try:
        return cache.get(key, default)
    except CACHE_ERRORS as exc:
        _unavailable("get", key, exc)
        return default


def cache_set(key, value, timeout):
    """True if stored."""
    if _paused():
        return False
    try:
        cache.set(key, value, timeout)
    except CACHE_ERRORS as exc:
        _unavailable("set", key, exc)
        return False
    return True


def cache_delete(key):
    """Forget `key`; tried even while paused, since a stale entry outlives the outage. If the cache is down
    this cannot happen, and the entry's own timeout bounds how long it stays stale."""
    try:
        cache.delete(key)
    except CACHE_ERRORS as exc:
        _unavailable("delete", key, exc)
        return False
    return True


def cache_get_or_set(key, compute, timeout):
    """The cached value, or `compute()` (stored for next time when the cache answers)."""
    value = cache_get(key, MISSING)
    if value is MISSING:
        value = compute()
        cache_set(key, value, timeout)
    return value


def cache_incr(key, timeout):
    """Add one to the counter at `key` (created with `timeout` seconds to live); its new value.

    None when the cache is unavailable: the caller decides whether to let the request through.
    """
    if _paused():
        return None
    try:
        if cache.add(key, 1, timeout):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout)
            return 1
    except CACHE_ERRORS as exc:
        _unavailable("incr", key, exc)
        return None
