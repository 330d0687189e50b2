from celery import shared_task

from gdportal.locks import one_at_a_time
from gdportal.publish import publish_now

from . import delivery


@shared_task(name="webhooks.deliver")
def deliver(endpoint_id):
    # No Celery retry: a failed attempt is recorded on its row with its next due time, and the beat job
    # below sends it then. The message only says "this endpoint may have something to send".
    delivery.deliver_endpoint(endpoint_id)


@shared_task(name="webhooks.deliver_due")
@one_at_a_time("webhooks.deliver_due")
def deliver_due():
    """Beat job, every minute: the retries that fell due, and whatever a lost message left queued."""
    for endpoint_id in delivery.due_endpoint_ids():
        publish_now(deliver, endpoint_id)
    delivery.prune_delivered()
