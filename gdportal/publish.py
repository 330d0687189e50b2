"""Publishing Celery tasks after a commit, without ever failing the request that committed.

Every task the portal publishes from a request works on a row that the same transaction wrote (an outbox
e-mail, the lapse sweep's outbox rows), and the beat job `notifications.send_pending` sends whatever is still
queued. So the row is the truth and the message is only a nudge: when the broker is down the change is
already committed, and answering "Server Error" would tell the user their filing failed when it did not (and
would skip the remaining on_commit callbacks). A failed publish is logged and left to the periodic resend.
"""

import logging
import time
from functools import partial

from django.db import transaction
from kombu.exceptions import OperationalError

from gdportal import requestid

logger = logging.getLogger(__name__)

# After a broker fault this process stops trying for a while: a Redis that hangs rather than refuses costs
# each publish its socket timeout (settings.py), and one approval sends three e-mails. The rows wait anyway.
PAUSE_AFTER_FAULT = 15.0
_paused_until = 0.0


def publish_on_commit(task, *args, using=None, **kwargs):
    """Queue `task(*args, **kwargs)` once the current transaction commits; never raises on a broker fault."""
    # The request id is taken now: the callback may run after the request's context is gone (tests, nested
    # atomic blocks closed by a caller).
    headers = requestid.task_headers()
    transaction.on_commit(partial(publish_now, task, *args, _headers=headers, **kwargs), using=using)


def publish_now(task, *args, _headers=None, **kwargs):
    """Publish `task` now; True if the broker took it. A failure is logged, never raised."""
    return _publish(task, args, kwargs, requestid.task_headers() if _headers is None else _headers)


def _publish(task, args, kwargs, headers):
    global _paused_until
    if time.monotonic() < _paused_until:
        logger.warning("broker recently unavailable: %s%r left to the periodic resend", task.name, args)
        return False
    try:
        # Explicit headers reach an eager run too (before_task_publish fires only for a real message).
        task.apply_async(args, kwargs, headers=headers or None)
    except (OperationalError, OSError) as exc:  # broker down, refused, unreachable, not answering
        _paused_until = time.monotonic() + PAUSE_AFTER_FAULT
        logger.warning(
            "could not publish %s%r after commit (%s: %s); the row stays queued for the periodic resend",
            task.name,
            args,
            type(exc).__name__,
            exc,
        )
        return False
    except Exception:  # noqa: BLE001 — not an outage (a bug?): loud, but the committed change still stands
        logger.exception("could not publish %s%r after commit", task.name, args)
        return False
    return True
