"""Stage 3 (SPEC §6): the parecer de acesso a case gets after the technical approval, and its inspections.

The case (gdportal.cases) keeps the state; these rows keep what the analyst wrote into the parecer and what
the inspector found, one row per parecer and per inspection request, never rewritten but for the facts that
follow them (acceptance, payment, works done; schedule, visit, result).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gdportal.cases.models import Case, DocumentVersion
from gdportal.registry.models import Phases, Voltage


class TariffGroup(models.TextChoices):
    B1 = "B1", _("B1 — residential")
    B2 = "B2", _("B2 — rural")
    B3 = "B3", _("B3 — other classes")
    A4 = "A4", _("A4 — 2.3 to 25 kV")
    A3A = "A3a", _("A3a — 30 to 44 kV")
    A3 = "A3", _("A3 — 69 kV")


class ParecerQuerySet(models.QuerySet):
    def for_user(self, user):
        """The pareceres of the cases the user sees (the one scope: Case.objects.for_user)."""
        return self.filter(case__in=Case.objects.for_user(user))


class Parecer(models.Model):
    """One access opinion (orçamento de conexão, REN 1.000 art. 69) with its PDF and verification code."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="pareceres")
    favourable = models.BooleanField(_("favourable"))
    unfavourable_reason = models.TextField(_("reason (unfavourable opinion)"), blank=True)
    voltage = models.CharField(_("connection voltage"), max_length=2, choices=Voltage.choices)
    phases = models.CharField(_("phases"), max_length=10, choices=Phases.choices)
    connection_point = models.TextField(_("connection point"), blank=True)
    metering = models.TextField(_("metering requirements"), blank=True)
    protection = models.TextField(_("protection requirements"), blank=True)
    works_needed = models.BooleanField(_("grid works needed"), default=False)
    works_description = models.TextField(_("grid works"), blank=True)
    works_deadline_days = models.PositiveIntegerField(_("grid works deadline (days)"), null=True, blank=True)
    financial_participation = models.DecimalField(
        _("financial participation (R$)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    tariff_group = models.CharField(_("tariff group"), max_length=4, choices=TariffGroup.choices)
    customer_works = models.TextField(_("works on the customer's side"), blank=True)
    # "Por inversão de fluxo" (SPEC §15): an unfavourable opinion for that reason, or a favourable one that
    # limits the injection; either carries its study (gdportal.cases FlowStudy), never on a dispensed case.
    flow_inversion = models.BooleanField(_("for flow inversion"), default=False)
    injection_limit_kw = models.DecimalField(
        _("injection limit (kW)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    verification_code = models.CharField(_("verification code"), max_length=12, unique=True)
    document = models.OneToOneField(
        DocumentVersion, verbose_name=_("PDF"), on_delete=models.PROTECT, null=True, related_name="parecer"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_tacitly = models.BooleanField(_("accepted tacitly"), default=False)
    paid_at = models.DateTimeField(_("financial participation paid at"), null=True, blank=True)
    payment_note = models.CharField(_("payment reference"), max_length=200, blank=True)
    works_done_at = models.DateTimeField(_("grid works completed at"), null=True, blank=True)

    objects = ParecerQuerySet.as_manager()

    class Meta:
        verbose_name = _("access opinion")
        verbose_name_plural = _("access opinions")
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.case} — {self.code_display}"

    @property
    def code_display(self):
        code = self.verification_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))

    @property
    def has_financial_participation(self):
        return self.financial_participation > 0

    @property
    def works_pending(self):
        return self.works_needed and self.works_done_at is None

    @property
    def payment_pending(self):
        return self.has_financial_participation and self.paid_at is None


class InspectionPeriod(models.TextChoices):
    MORNING = "morning", _("Morning (8h–12h)")
    AFTERNOON = "afternoon", _("Afternoon (13h–18h)")


class InspectionResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class InspectionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(case__in=Case.objects.for_user(user))


class Inspection(models.Model):
    """One inspection request (the seed's Vistoria form) and what became of it."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="inspections"
    )
    parecer = models.ForeignKey(
        Parecer, verbose_name=_("access opinion"), on_delete=models.PROTECT, related_name="inspections"
    )
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    # The seed's form, as typed (prefilled from the case).
    holder_name = models.CharField(_("holder"), max_length=200)
    document = models.CharField(_("holder's CPF/CNPJ"), max_length=14)
    street = models.CharField(_("street/avenue"), max_length=200)
    cep = models.CharField(_("CEP"), max_length=8)
    street_number = models.CharField(_("number"), max_length=20)
    complement = models.CharField(_("complement"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100)
    municipality = models.CharField(_("city"), max_length=100)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=20)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    attachment = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("attached access opinion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    declaration = models.BooleanField(_("declaration accepted"), default=False)

    scheduled_for = models.DateField(_("visit date"), null=True, blank=True)
    period = models.CharField(_("period"), max_length=10, choices=InspectionPeriod.choices, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=InspectionResult.choices, blank=True)
    meter_number = models.CharField(_("bidirectional meter number"), max_length=30, blank=True)
    connected_on = models.DateField(_("connection date"), null=True, blank=True)
    report = models.TextField(_("report of pending items"), blank=True)
    decided_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("result recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.case} — {self.requested_at:%d/%m/%Y}"

    @property
    def report_items(self):
        return [line.strip() for line in self.report.splitlines() if line.strip()]


class ParecerQueue(Case):
    """Admin entry "Pareceres a emitir": approved cases by the 15/30/45-day due date (a proxy of the case)."""

    class Meta:
        proxy = True
        verbose_name = _("access opinion to issue")
        verbose_name_plural = _("access opinions to issue")


class InspectionQueue(Case):
    """Admin entry for the inspector: inspections requested, by the 5/10-business-day due date."""

    class Meta:
        proxy = True
        verbose_name = _("inspection to carry out")
        verbose_name_plural = _("inspections to carry out")
