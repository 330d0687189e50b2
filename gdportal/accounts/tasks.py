from celery import shared_task

from . import services


# Safe to retry: the outbox rows are written in one transaction, so a failed run leaves none behind.
@shared_task(name="accounts.password_reset_send", autoretry_for=(Exception,), max_retries=3, retry_backoff=30)
def password_reset_send(email):
    services.password_reset_send(email=email)
