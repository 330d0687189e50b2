from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """An e-mail decided by a transaction, written in that same transaction and sent after it commits.

    The row survives a broker or mail-server outage; the periodic job sends whatever is still queued, and a
    conditional UPDATE claims a row so that two workers never send it twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent: nobody to send it to")

    to = models.JSONField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    body_text = models.TextField(_("text body"), blank=True)
    body_html = models.TextField(_("HTML body"), blank=True)
    template = models.CharField(_("template"), max_length=100)
    # Rows written in bulk (the deadline sweep) carry their context and are rendered by the sender.
    context = models.JSONField(_("context"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Looked up by equality only: a plain index, without the LIKE twin `db_index=True` adds on PostgreSQL (one
    # index write less for each of the sweep's 100,000 e-mails, issue 15).
    related_object = models.CharField(_("about"), max_length=60, blank=True)
    # The request (or task) that queued it, sent as the X-Request-ID header: an operator follows one filing
    # from nginx's log to the mail server's (gdportal/requestid.py).
    request_id = models.CharField(_("request id"), max_length=64, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["related_object"], name="outbox_related_object"),
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
