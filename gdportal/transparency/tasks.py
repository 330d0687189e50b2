from celery import shared_task

from gdportal.locks import one_at_a_time


@shared_task(name="transparency.compute")
@one_at_a_time("transparency.compute")
def compute_transparency():
    """Beat runs this hourly (settings.CELERY_BEAT_SCHEDULE); running it twice only stores a second
    snapshot of the same figures."""
    from .services import transparency_compute

    snapshot = transparency_compute()
    return {"snapshot": snapshot.pk, "seconds": snapshot.seconds}
