"""Recomputing the public figures (beat, `compute_transparency`, the page's first visit) and reading them."""

import time

from django.db import transaction
from django.utils import timezone

from gdportal.cache import cache_get, cache_incr, cache_set
from gdportal.publish import publish_now

from .compute import compute_figures
from .models import TransparencySnapshot

CACHE_KEY = "transparency:snapshot"
# The beat task replaces the cached figures at every run; this only bounds how long a process whose cache
# write failed could show older ones.
CACHE_SECONDS = 3600
QUEUED_KEY = "transparency:queued"
QUEUE_AT_MOST_EVERY = 300  # seconds: a page with no figures yet asks for them once, not once per visitor
KEEP = 48  # snapshots kept (two days of hourly runs), for an operator to compare


def _cached_form(snapshot):
    return {"computed_at": snapshot.computed_at, "figures": snapshot.figures}


def transparency_compute(*, now=None):
    """Compute the figures and store them as the newest snapshot. The reading queries run outside any
    transaction (they only read, and may take seconds at a million clocks); the write is one short one."""
    started = time.monotonic()
    now = now or timezone.now()
    figures = compute_figures(now=now)
    with transaction.atomic():
        snapshot = TransparencySnapshot.objects.create(
            computed_at=now, seconds=round(time.monotonic() - started, 3), figures=figures
        )
        stale = list(TransparencySnapshot.objects.values_list("id", flat=True)[KEEP:])
        if stale:
            TransparencySnapshot.objects.filter(id__in=stale).delete()
        # The page reads the cache first: once committed, the new figures replace the old ones there.
        transaction.on_commit(lambda: cache_set(CACHE_KEY, _cached_form(snapshot), CACHE_SECONDS))
    return snapshot


def latest_snapshot():
    """{"computed_at", "figures"} of the newest snapshot, or None before the first computation. From the
    cache when it answers (no query at all), else one query."""
    cached = cache_get(CACHE_KEY)
    if cached is not None:
        return cached
    snapshot = TransparencySnapshot.objects.only("computed_at", "figures").first()
    if snapshot is None:
        return None
    cached = _cached_form(snapshot)
    cache_set(CACHE_KEY, cached, CACHE_SECONDS)
    return cached


def request_computation():
    """Ask a worker for the first figures (the page found none); at most once per few minutes while the
    cache answers. Never raises: the hourly beat run computes them anyway."""
    count = cache_incr(QUEUED_KEY, QUEUE_AT_MOST_EVERY)
    if count is not None and count > 1:
        return False
    from .tasks import compute_transparency

    return publish_now(compute_transparency)
