"""The reasons catalogue (SPEC §15): every pendência and refusal names one or more reasons from it, plus a
note.

- `DecisionReason` is the catalogue, kept in the admin (code, pt-BR text, norm reference, active). It ships
  with Cemig's most frequent reasons (data migration cases.0009); a reason no longer used is deactivated,
  never deleted, because decisions point to it.
- `CaseReason` is one reason given in one decision on one case: a document marked Não conforme (kind
  pendência, with its version), a suspension (pendência), a commercial or technical rejection or an
  unfavourable parecer (refusal). The text and norm reference are copied on the row when it is given, so a
  later edit of the catalogue never rewrites what the customer was told. Rows are what the transparency page
  counts (per month, per reason).

A document's rows are written with its verdict and stay a draft (no event, not shown to the customer, not
counted) until the decision that sends them — the suspension or rejection — links them to its event.
The services that write rows are in reasons_services.py.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReasonKind(models.TextChoices):
    PENDENCY = "pendency", _("Pending item")
    REFUSAL = "refusal", _("Refusal")


class ReasonDecision(models.TextChoices):
    DOCUMENT = "document", _("Document not conforming")
    SUSPENSION = "suspension", _("Suspension")
    COMMERCIAL_REJECTION = "commercial_rejection", _("Commercial rejection")
    TECHNICAL_REJECTION = "technical_rejection", _("Technical rejection")
    UNFAVOURABLE_PARECER = "unfavourable_parecer", _("Unfavourable access opinion")


KIND_OF_DECISION = {
    ReasonDecision.DOCUMENT: ReasonKind.PENDENCY,
    ReasonDecision.SUSPENSION: ReasonKind.PENDENCY,
    ReasonDecision.COMMERCIAL_REJECTION: ReasonKind.REFUSAL,
    ReasonDecision.TECHNICAL_REJECTION: ReasonKind.REFUSAL,
    ReasonDecision.UNFAVOURABLE_PARECER: ReasonKind.REFUSAL,
}


class DecisionReason(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short and stable: counted by it on /transparencia/."),
    )
    text = models.CharField(
        _("text shown to the customer and the RT"),
        max_length=300,
        help_text=_("In Portuguese, as published."),
    )
    norm_reference = models.CharField(
        _("norm reference"),
        max_length=200,
        help_text=_("E.g. REN 1.000/2021 art. 73; PRODIST Módulo 3; Cemig ND 5.30."),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive reasons are no longer offered; past decisions keep them."),
    )
    position = models.PositiveSmallIntegerField(_("position in the list"), default=100)

    class Meta:
        db_table = "cases_decisionreason"
        verbose_name = _("reason (catalogue)")
        verbose_name_plural = _("reasons (catalogue)")
        ordering = ["position", "code"]

    def __str__(self):
        return f"{self.code} — {self.text}"


class CaseReasonQuerySet(models.QuerySet):
    def decided(self):
        """Rows a decision sent (shown to the customer and the RT, counted): drafts of a round are not."""
        return self.filter(decided_at__isnull=False)


class CaseReason(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="decision_reasons")
    reason = models.ForeignKey(
        DecisionReason, verbose_name=_("reason"), on_delete=models.PROTECT, related_name="uses"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReasonKind.choices)
    decision = models.CharField(_("decision"), max_length=24, choices=ReasonDecision.choices)
    # The catalogue's words when the reason was given (the catalogue may be edited later).
    text = models.CharField(_("text"), max_length=300)
    norm_reference = models.CharField(_("norm reference"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    version = models.ForeignKey(
        "cases.DocumentVersion",
        verbose_name=_("document version"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reasons",
    )
    event = models.ForeignKey(
        "cases.CaseEvent",
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reasons",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the decision carrying it was sent; empty while a document's verdict is a draft of the round.
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = CaseReasonQuerySet.as_manager()

    class Meta:
        db_table = "cases_casereason"
        verbose_name = _("reason given")
        verbose_name_plural = _("reasons given")
        ordering = ["-decided_at", "id"]
        indexes = [
            models.Index(fields=["decided_at", "kind"], name="casereason_month"),
        ]

    def __str__(self):
        return f"{self.case} {self.reason.code}"
