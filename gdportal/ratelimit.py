"""Counters for rate limits, kept in the shared cache, in fixed windows of `window` seconds.

A cache that fails must not fail the request it guards: on any cache error the counter reads 0 (the request
goes through) and gdportal/cache.py logs it — an outage of the cache lifts the limits for its duration, it
does not take the pages down with it.
"""

import hashlib
import time

from gdportal.cache import cache_get, cache_incr


def _key(scope, ident, window):
    # Hashed: the cache holds no e-mail addresses, and any identifier fits the key length limits.
    digest = hashlib.sha256(str(ident).encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{int(time.time() // window)}"


def count(scope, ident, window):
    """Hits recorded for `ident` in the current window (0 while the cache is unavailable)."""
    return int(cache_get(_key(scope, ident, window), 0) or 0)


def hit(scope, ident, window):
    """Record one hit; returns the count in the current window including it (0 if the cache failed)."""
    # The window's number is part of the key: a key outliving its window (a backend that resets the
    # timeout on incr) is never read again.
    return cache_incr(_key(scope, ident, window), window) or 0


def exceeded(scope, ident, *, limit, window):
    """Count this request and say whether it goes over `limit` in the window."""
    return hit(scope, ident, window) > limit
