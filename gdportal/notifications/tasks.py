from celery import shared_task

from gdportal.locks import one_at_a_time

from . import services


@shared_task(
    name="notifications.send_email",
    bind=True,
    max_retries=services.MAX_ATTEMPTS,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    autoretry_for=(Exception,),
)
def send_email(self, email_id):
    # The row counts its own attempts (MAX_ATTEMPTS, then failed); a retry of a failed row claims nothing.
    services.email_send(email_id)


@shared_task(name="notifications.send_pending")
@one_at_a_time("notifications.send_pending")
def send_pending():
    """Beat job: whatever a lost message or a broker outage left queued is sent here."""
    services.email_fail_abandoned()
    for email_id in services.email_pending_ids():
        try:
            services.email_send(email_id)
        except Exception:  # noqa: BLE001, S112 — email_send logged it with the row id and counted the attempt
            continue
