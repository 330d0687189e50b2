from celery import shared_task

from gdportal.locks import one_at_a_time


@shared_task(name="api.forget_idempotent_answers")
@one_at_a_time("api.forget_idempotent_answers")
def forget_idempotent_answers():
    """Beat runs this hourly: answers kept for Idempotency-Key retries are dropped after their 24 hours."""
    from .idempotency import forget_expired

    return forget_expired()
