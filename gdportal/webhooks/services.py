"""What an owner (and staff, in the admin) does to a webhook endpoint; one transaction each."""

import logging
import secrets
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gdportal.publish import publish_on_commit

from .fanout import TEST_EVENT
from .models import WebhookDelivery, WebhookEndpoint
from .targets import url_problem

logger = logging.getLogger(__name__)

# Enough for an integrator's production and staging receivers; a bound on what one account makes us send.
MAX_ENDPOINTS = 10


def may_own_endpoints(user):
    """Customers and RTs — the users whose cases a webhook follows. Staff read cases in the admin."""
    return (
        user.is_authenticated
        and user.is_active
        and not user.is_staff
        and (user.is_rt or (user.is_customer and user.customer_id is not None))
    )


def endpoints_for(user):
    """The endpoints a user may see and act on: their own. Anyone else's is a 404."""
    if not may_own_endpoints(user):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(owner=user)


def _owned(endpoint, by):
    if endpoint.owner_id != by.pk or not may_own_endpoints(by):
        raise PermissionDenied


def _nudge(endpoint):
    from .tasks import deliver

    publish_on_commit(deliver, endpoint.pk)


@transaction.atomic
def endpoint_create(*, owner, url, description=""):
    """A new endpoint and its secret: returned once, for the page to show once."""
    if not may_own_endpoints(owner):
        raise PermissionDenied
    url = (url or "").strip()
    problem = url_problem(url)
    if problem:
        raise ValidationError({"url": problem})
    # The owner's row, locked: two forms sent at once cannot both pass the count.
    get_user_model().objects.select_for_update().only("pk").get(pk=owner.pk)
    if WebhookEndpoint.objects.filter(owner=owner).count() >= MAX_ENDPOINTS:
        raise ValidationError(
            _("You already have %(n)d endpoints, the most an account may have. Delete one first.")
            % {"n": MAX_ENDPOINTS}
        )
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        owner=owner, url=url, secret=secret, description=(description or "").strip()
    )
    logger.info("webhook endpoint %s created by user %s", endpoint.pk, owner.pk)
    return endpoint, secret


@transaction.atomic
def endpoint_delete(*, endpoint, by):
    """Gone with its log and whatever it had queued: the owner asked for nothing more to be sent."""
    _owned(endpoint, by)
    logger.info("webhook endpoint %s deleted by user %s", endpoint.pk, by.pk)
    endpoint.delete()


@transaction.atomic
def endpoint_set_active(*, endpoint, by, active):
    """Switched off, it records no new events and sends nothing; switched on, what it had queued goes out."""
    _owned(endpoint, by)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=active)
    endpoint.active = active
    if active:
        _nudge(endpoint)
    return endpoint


@transaction.atomic
def endpoint_resume(*, endpoint, by):
    """A paused endpoint sends again, at once: its queued deliveries first, in their order."""
    _owned(endpoint, by)
    now = timezone.now()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(paused_at=None, failing_since=None)
    # Due now rather than at the end of the backoff their last failures set: the owner says it is fixed.
    endpoint.deliveries.filter(
        status__in=[WebhookDelivery.Status.QUEUED, WebhookDelivery.Status.FAILED]
    ).update(next_attempt_at=now)
    endpoint.paused_at = endpoint.failing_since = None
    _nudge(endpoint)
    logger.info("webhook endpoint %s resumed by user %s", endpoint.pk, by.pk)
    return endpoint


@transaction.atomic
def endpoint_pause(*, endpoint, by):
    """Staff stop an endpoint (the admin); its owner resumes it. Nothing queued is lost."""
    if not by.is_staff:
        raise PermissionDenied
    paused = WebhookEndpoint.objects.filter(pk=endpoint.pk, paused_at=None).update(paused_at=timezone.now())
    if paused:
        logger.warning("webhook endpoint %s paused by staff user %s", endpoint.pk, by.pk)
    return bool(paused)


@transaction.atomic
def endpoint_send_test(*, endpoint, by):
    """Queue a "webhook.test" event, delivered like any other (behind what is already queued)."""
    _owned(endpoint, by)
    event_id = uuid.uuid4()
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=event_id,
        event=TEST_EVENT,
        payload={
            "id": str(event_id),
            "type": TEST_EVENT,
            "created_at": now.isoformat(),
            "endpoint": {"id": endpoint.pk, "url": endpoint.url},
        },
        created_at=now,
        next_attempt_at=now,
    )
    _nudge(endpoint)
    return delivery
