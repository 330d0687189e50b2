"""Flow-inversion studies and the utility's breaches of its clocks (SPEC §15, §9).

A refusal, a suspension or an injection limit "por inversão de fluxo" carries the study it rests on (REN
1.000 art. 73): a PDF stored as a DocumentVersion of the case, with its engineer and ART. The holder or the RT
may ask for the studies behind a decision (art. 78): the utility has 10 business days, and a clock it lets
lapse is a breach the case records (article, Tipo, P, Pv), the customer sees and the utility owes
compensation for.
They live in the kernel because the technical analysis (aprweb) and the parecer both decide this way.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import FlowDecision


class FlowStudy(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="flow_studies"
    )
    decision = models.CharField(_("decision"), max_length=30, choices=FlowDecision.choices)
    document = models.OneToOneField(
        "cases.DocumentVersion",
        verbose_name=_("study (PDF)"),
        on_delete=models.PROTECT,
        related_name="flow_study",
    )
    engineer = models.CharField(_("engineer responsible for the study"), max_length=200)
    art_number = models.CharField(_("ART number"), max_length=30)
    # Set when the study answers the holder's request (art. 78) rather than backing a decision.
    studies_request = models.ForeignKey(
        "cases.FlowStudiesRequest",
        verbose_name=_("answers the request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="studies",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("attached by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("attached at"), auto_now_add=True)

    class Meta:
        verbose_name = _("flow-inversion study")
        verbose_name_plural = _("flow-inversion studies")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.case} — {self.get_decision_display()} — ART {self.art_number}"


class FlowStudiesRequest(models.Model):
    """ "Solicitar estudos de inversão de fluxo": the holder or the RT asks; the clock is the case's
    `flow_studies` Deadline, closed when staff deliver."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="flow_studies_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    note = models.TextField(_("what was asked"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delivered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("flow-inversion studies request")
        verbose_name_plural = _("flow-inversion studies requests")
        ordering = ["delivered_at", "requested_at", "id"]
        constraints = [
            # One request waits at a time: a second click while the first runs would start nothing new.
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(delivered_at=None), name="flowstudies_one_open_per_case"
            )
        ]

    def __str__(self):
        return f"{self.case} — {self.requested_at:%d/%m/%Y}"


class Breach(models.Model):
    """A compensable clock of the utility that lapsed (SPEC §9; REN 1.000 arts. 439–443, Annex IV).

    Recorded once per clock by the sweep when it flags the clock overdue; Pv (verified days) is known when the
    clock finally closes. The R$ amount is not computed (SPEC §9: not until art. 440 is checked)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="breaches"
    )
    deadline = models.OneToOneField(
        "deadlines.Deadline", verbose_name=_("clock"), on_delete=models.CASCADE, related_name="breach"
    )
    kind = models.CharField(_("clock kind"), max_length=40)
    article = models.CharField(_("REN 1.000 article"), max_length=20)
    tipo = models.PositiveSmallIntegerField(_("Tipo (Annex IV)"))
    regulatory_days = models.PositiveIntegerField(_("regulatory days (P)"))
    business_days = models.BooleanField(_("counted in business days"), default=False)
    verified_days = models.PositiveIntegerField(_("verified days (Pv)"), null=True, blank=True)
    # Blank when the case has no parecer yet to name it (the studies come before it).
    tariff_group = models.CharField(_("tariff group"), max_length=4, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("deadline breach")
        verbose_name_plural = _("deadline breaches")
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self.case} — {self.article} (Tipo {self.tipo})"
