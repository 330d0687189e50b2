"""Component checks behind /healthz and /healthz/deep.

/healthz answers 200 whenever the database does (SPEC §12): load balancers must not take the portal out of
rotation because Redis is down, since requests are still filed then (the cache falls back to the database and
the outbox keeps the e-mails). /healthz/deep tells operators which component is down. /readyz is for a new
node before it takes traffic (a rollout, an orchestrator's readiness probe): database, cache and storage.
"""

import logging
import os

from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

OK = "ok"
DOWN = "unavailable"


def database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any database failure means unhealthy
        logger.exception("health check: database unavailable")
        return DOWN
    return OK


def cache_status():
    # Deliberately the raw cache, not gdportal.cache's helpers: those hide exactly the fault looked for here.
    try:
        cache.set("healthz:probe", OK, 30)
        answered = cache.get("healthz:probe")
    except Exception as exc:  # noqa: BLE001 — whatever the backend raises, the cache is not usable
        logger.warning("health check: cache unavailable: %s: %s", type(exc).__name__, exc)
        return DOWN
    return OK if answered == OK else DOWN


def storage_status():
    """The uploaded files' storage answers: the bucket (S3) or a writable folder (one shared directory)."""
    from django.core.files.storage import default_storage

    try:
        bucket = getattr(default_storage, "bucket", None)  # django-storages' S3Storage
        if bucket is not None:
            bucket.meta.client.head_bucket(Bucket=bucket.name)
            return OK
        location = getattr(default_storage, "location", None)
        if location is not None:
            # As the storage does on its first save; a shared folder that is gone or read-only fails here.
            os.makedirs(location, exist_ok=True)
            return OK if os.access(location, os.W_OK | os.X_OK) else DOWN
        default_storage.exists("healthz-probe")
    except Exception as exc:  # noqa: BLE001 — whatever the backend raises, files cannot be stored
        logger.warning("health check: storage unavailable: %s: %s", type(exc).__name__, exc)
        return DOWN
    return OK


def broker_status():
    from gdportal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=settings.BROKER_CONNECT_TIMEOUT
            )
    except Exception as exc:  # noqa: BLE001 — whatever the transport raises, nothing can be published
        logger.warning("health check: broker unavailable: %s: %s", type(exc).__name__, exc)
        return DOWN
    return OK


CHECKS = {
    "database": database_status,
    "cache": cache_status,
    "broker": broker_status,
    "storage": storage_status,
}


def components(*names):
    """{name: OK or DOWN} for the named checks, in order."""
    return {name: CHECKS[name]() for name in names}
