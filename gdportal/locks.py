"""One run at a time for a periodic job, whatever the number of beats or workers: a PostgreSQL advisory lock.

Exactly one beat is the rule (docker-compose.yml, `make serve`), but a second beat started by mistake — or a
job run by hand while beat's run is still going — must not do the same work twice at once. Each periodic
task takes a lock named after it with pg_try_advisory_lock: a run that finds the lock taken does nothing and
says so in the log; the next tick tries again. The work itself stays safe to repeat (SKIP LOCKED claims,
idempotent notices): the lock saves the duplicate work and the duplicate e-mails a race could still cause.

The lock is a session lock on the job's own database connection, released when the job ends, or by
PostgreSQL if the process dies with its connection. So it needs a connection that stays the same session for
the job's length: with PgBouncer in transaction pooling, point the worker at PostgreSQL directly (or a
session-pooled port). On SQLite (`make run`: one worker with its embedded beat) there is no one to share
the work with, and every run goes ahead.
"""

import contextlib
import functools
import hashlib
import logging

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)


def lock_key(name):
    """A stable signed 64-bit key for `name` (PostgreSQL's bigint advisory-lock space)."""
    digest = hashlib.sha256(f"gdportal:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def exclusive(name):
    """Yields True while this process holds `name`'s lock, False if another process holds it (then do
    nothing). Never waits."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    if not acquired:
        yield False
        return
    try:
        yield True
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        except DatabaseError:
            # The connection broke during the job: PostgreSQL released the lock with the session.
            logger.warning("lock %s: connection lost before the unlock; released with it", name)


def one_at_a_time(name):
    """Decorate a periodic job: it runs only if no other process is running `name` (see the module)."""

    def decorate(job):
        @functools.wraps(job)
        def run(*args, **kwargs):
            with exclusive(name) as mine:
                if not mine:
                    logger.info("%s: already running elsewhere (a second beat?); this run is skipped", name)
                    return None
                return job(*args, **kwargs)

        return run

    return decorate
