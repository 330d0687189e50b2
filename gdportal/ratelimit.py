"""Counters for rate limits, kept in the shared cache, in fixed windows of `window` seconds.

A cache that fails must not fail the request it guards: on any cache error the counter reads 0 (the request
goes through) and a warning is logged — an outage of the cache lifts the limits for its duration, it does
not take the pages down with it.
"""

import hashlib
import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def _key(scope, ident, window):
    # Hashed: the cache holds no e-mail addresses, and any identifier fits the key length limits.
    digest = hashlib.sha256(str(ident).encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{int(time.time() // window)}"


def count(scope, ident, window):
    """Hits recorded for `ident` in the current window."""
    try:
        return int(cache.get(_key(scope, ident, window), 0))
    except Exception:  # noqa: BLE001 — any cache failure; see the module docstring
        logger.warning("rate limit %s: cache unavailable, not counting", scope, exc_info=True)
        return 0


def hit(scope, ident, window):
    """Record one hit; returns the count in the current window including it (0 if the cache failed)."""
    key = _key(scope, ident, window)
    try:
        cache.add(key, 0, window)
        try:
            value = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            value = 1
        # Some backends (file, database) re-set the default timeout on incr: keep the key for its window.
        cache.touch(key, window)
        return value
    except Exception:  # noqa: BLE001 — any cache failure; see the module docstring
        logger.warning("rate limit %s: cache unavailable, not counting", scope, exc_info=True)
        return 0


def exceeded(scope, ident, *, limit, window):
    """Count this request and say whether it goes over `limit` in the window."""
    return hit(scope, ident, window) > limit
