"""A user's webhook endpoints and the outbox of what is delivered to them (SPEC §14 "Webhooks")."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookEndpoint(models.Model):
    """An HTTPS URL a customer or an RT registered to receive the transitions of the cases they see."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("URL"), max_length=500)
    # Kept in clear because every delivery is signed with it; shown to the owner once, at creation, and
    # nowhere else (neither the pages nor the admin).
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Switched off by its owner: no new events are recorded for it and nothing is sent.
    active = models.BooleanField(_("active"), default=True)
    # Paused after a day of failures (or by staff): events are still recorded, and go out once resumed.
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.url

    @property
    def sends(self):
        return self.active and self.paused_at is None


class WebhookDelivery(models.Model):
    """One event for one endpoint: written in the transaction that decided it, sent after it commits.

    The row is the truth and the Celery message only a nudge (gdportal.publish): a lost message, a worker
    that died or a receiver that is down leave the row queued for the next attempt. A conditional UPDATE
    claims it, so two workers never send it at once; once a 2xx is recorded it is never sent again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        # The last attempt failed; the next one is due at next_attempt_at.
        FAILED = "failed", _("Failed, will be retried")

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(_("event id"))
    event = models.CharField(_("event"), max_length=40)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_response = models.TextField(_("last response"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        constraints = [
            # One event reaches one endpoint once: a second fan-out of the same case event writes nothing.
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            # The endpoint's oldest undelivered row (deliveries go out in order) and its log, newest first.
            models.Index(fields=["endpoint", "status", "id"], name="webhook_delivery_endpoint"),
        ]

    def __str__(self):
        return f"{self.event} {self.event_id} → {self.endpoint_id}"

    @property
    def pending(self):
        return self.status != self.Status.DELIVERED
