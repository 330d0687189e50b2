from celery import shared_task

from gdportal.locks import one_at_a_time


@shared_task(name="cases.sweep_held_uploads")
@one_at_a_time("cases.sweep_held_uploads")
def sweep_held_uploads():
    """Beat runs this hourly: files kept for a failed form past their lifetime are deleted (cases/held.py)."""
    from .held import held_sweep

    return held_sweep()
