"""Sending the outbox: one endpoint at a time, its deliveries in the order they were written.

Each endpoint's oldest undelivered row goes first and the next waits for it: a receiver that is down gets one
attempt per backoff step instead of one per event, and sees every case's transitions in their order. A row
is claimed by a conditional UPDATE before it is sent, so two workers never send it at once, and a 2xx is
recorded before the next row is claimed; a worker that dies mid-send leaves a claim that is taken again
after STALE_CLAIM. That last case — killed after the receiver answered, before the answer was recorded — is
the only way one event id reaches a receiver twice, so receivers still drop a repeated X-GDPortal-Event-Id.

What a receiver gets (documented on the webhooks page too):
    POST <url>, Content-Type: application/json, the payload of fanout.transition_payload;
    X-GDPortal-Event-Id: the event's UUID (the same on every retry);
    X-GDPortal-Event: "case.transition" or "webhook.test";
    X-GDPortal-Timestamp: Unix seconds of this attempt;
    X-GDPortal-Signature: "sha256=" + hex HMAC-SHA256 with the endpoint's secret of "<timestamp>.<raw body>"
    (the timestamp inside the signature lets a receiver refuse an old request replayed).
"""

import hashlib
import hmac
import json
import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from gdportal.notifications.services import email_queue
from gdportal.publish import publish_now

from . import targets
from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
PENDING = [Status.QUEUED, Status.SENDING, Status.FAILED]
# A claim older than this belongs to a worker that died mid-send (a send takes at most TOTAL_TIMEOUT).
STALE_CLAIM = timedelta(minutes=5)
# Retries: 30 s, 1 min, 2 min … doubling up to an hour, each with ±20 % jitter so that the endpoints a
# network fault failed at once do not all come back at the same second.
FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)
# An endpoint failing this long is paused and its owner told; its events keep being recorded.
PAUSE_AFTER = timedelta(hours=24)
# One task sends at most this many rows, or for this long, then hands the endpoint to a new message.
BATCH = 100
BATCH_SECONDS = 60
KEEP_DELIVERED = timedelta(days=30)


def sign(secret, timestamp, body):
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def encode(payload):
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def retry_delay(attempts):
    """How long after the `attempts`-th failed attempt the next one is due."""
    base = min(LAST_RETRY, FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 20))
    return base * random.uniform(0.8, 1.2)  # jitter, not a secret


def _claimable(now):
    return Q(status__in=[Status.QUEUED, Status.FAILED], next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )


def _claim_head(endpoint_id):
    """The endpoint's oldest undelivered row, claimed for sending; None when there is none, when it is not
    due yet, when the endpoint does not send (switched off, paused), or when another worker has it."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None or not endpoint.sends:
        return None, None
    head = (
        WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status__in=PENDING)
        .order_by("id")
        .only("pk")
        .first()
    )
    if head is None:
        return endpoint, None
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(_claimable(now), pk=head.pk).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return endpoint, (WebhookDelivery.objects.get(pk=head.pk) if claimed else None)


def _send(endpoint, delivery):
    """One attempt; (status code or None, response text, error text)."""
    body = encode(delivery.payload)
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "GDPortal-Webhooks/1",
        "X-GDPortal-Event-Id": str(delivery.event_id),
        "X-GDPortal-Event": delivery.event,
        "X-GDPortal-Timestamp": str(timestamp),
        "X-GDPortal-Signature": sign(endpoint.secret, timestamp, body),
    }
    try:
        status, text = targets.post(endpoint.url, body, headers)
    except targets.Refused as exc:
        return None, "", f"refused: {exc}"
    except Exception as exc:  # noqa: BLE001 — unreachable, timed out, TLS refused…: a failed attempt, kept
        return None, "", f"{type(exc).__name__}: {exc}"[:1000]
    return status, text, "" if 200 <= status < 300 else f"HTTP {status}"


def _attempt(endpoint, delivery):
    """Send a claimed row and record the outcome on it (only if the claim is still ours). True if 2xx."""
    status, text, error = _send(endpoint, delivery)
    now = timezone.now()
    mine = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=Status.SENDING, claimed_at=delivery.claimed_at
    )
    if not error:
        mine.update(
            status=Status.DELIVERED,
            delivered_at=now,
            claimed_at=None,
            last_status_code=status,
            last_response=text,
            last_error="",
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None, last_success_at=now)
        return True
    mine.update(
        status=Status.FAILED,
        claimed_at=None,
        next_attempt_at=now + retry_delay(delivery.attempts),
        last_status_code=status,
        last_response=text,
        last_error=error,
    )
    logger.info(
        "webhook %s to endpoint %s failed (attempt %s): %s",
        delivery.event_id,
        endpoint.pk,
        delivery.attempts,
        error,
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    pause_if_failing_too_long(endpoint.pk, now=now)
    return False


def deliver_endpoint(endpoint_id):
    """Send the endpoint's due rows in order until one fails or none is due. Returns how many went out.

    What the task `webhooks.deliver` runs; a failed attempt is recorded on its row, never raised.
    """
    sent = 0
    started = time.monotonic()
    while sent < BATCH and time.monotonic() - started < BATCH_SECONDS:
        endpoint, delivery = _claim_head(endpoint_id)
        if delivery is None:
            return sent
        if not _attempt(endpoint, delivery):
            return sent
        sent += 1
    from .tasks import deliver

    publish_now(deliver, endpoint_id)  # more may be waiting: a fresh message, not a longer task
    return sent


def due_endpoint_ids(limit=500):
    """The endpoints with a row due (or a stale claim): the beat job sends each its own message."""
    return list(
        WebhookDelivery.objects.filter(
            _claimable(timezone.now()), endpoint__active=True, endpoint__paused_at=None
        )
        .order_by()
        .values_list("endpoint_id", flat=True)
        .distinct()[:limit]
    )


def pause_if_failing_too_long(endpoint_id, *, now=None):
    """Pause an endpoint that has failed for PAUSE_AFTER and e-mail its owner, once. True if paused now."""
    now = now or timezone.now()
    with transaction.atomic():
        paused = WebhookEndpoint.objects.filter(
            pk=endpoint_id, paused_at=None, failing_since__lte=now - PAUSE_AFTER
        ).update(paused_at=now)
        if not paused:
            return False
        endpoint = WebhookEndpoint.objects.select_related("owner").get(pk=endpoint_id)
        last = endpoint.deliveries.exclude(last_error="").order_by("-id").only("last_error").first()
        email_queue(
            to=[endpoint.owner.email],
            template="webhook_paused",
            context={
                "endpoint": endpoint,
                "owner": endpoint.owner,
                "last_error": last.last_error if last else "",
                "page_url": settings.GDPORTAL_BASE_URL + reverse("webhooks:endpoints"),
            },
            related_object=f"webhook:{endpoint_id}",
        )
    logger.warning("webhook endpoint %s paused: failing since %s", endpoint_id, endpoint.failing_since)
    return True


def prune_delivered(limit=5000):
    """Forget delivered rows after KEEP_DELIVERED (the log shows the last ones); a batch per run."""
    old = WebhookDelivery.objects.filter(
        status=Status.DELIVERED, delivered_at__lt=timezone.now() - KEEP_DELIVERED
    ).order_by()
    ids = list(old.values_list("pk", flat=True)[:limit])
    if ids:
        WebhookDelivery.objects.filter(pk__in=ids).delete()
    return len(ids)
