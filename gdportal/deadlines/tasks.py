from celery import shared_task

from .sweep import sweep


@shared_task(name="deadlines.sweep")
def sweep_deadlines():
    """Beat runs this every few minutes. Safe to run twice or late: see sweep.py."""
    result = sweep()
    return {"lapsed": result.lapsed, "flagged": result.flagged, "reminders": result.reminders}


@shared_task(name="deadlines.daily_digest")
def daily_digest():
    from .board import send_daily_digest

    return send_daily_digest()
