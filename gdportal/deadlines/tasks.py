from celery import shared_task

from gdportal.locks import one_at_a_time

from .sweep import sweep


@shared_task(name="deadlines.sweep")
@one_at_a_time("deadlines.sweep")
def sweep_deadlines():
    """Beat runs this every few minutes. Safe to run twice or late (sweep.py); one run at a time all the same,
    so a second beat costs no duplicate work (gdportal/locks.py)."""
    result = sweep()
    return {"lapsed": result.lapsed, "flagged": result.flagged, "reminders": result.reminders}


@shared_task(name="deadlines.daily_digest")
@one_at_a_time("deadlines.daily_digest")
def daily_digest():
    from .board import send_daily_digest

    return send_daily_digest()
