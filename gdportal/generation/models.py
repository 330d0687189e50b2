"""The plant as data (SPEC §16): one `GenerationData` per case with its equipment rows, participating units
and declarations. Written by the APR order's "Dados técnicos da geração" step (pages and API) through
`gdportal.generation.services`; read by the technical review, the generated request form, the parecer and the
compensation.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gdportal.cases.choices import Verdict
from gdportal.choicelabels import ChoiceLabels

from .choices import BuildingType, DeclarationCode, GenerationType, UnitsMode


class GenerationData(ChoiceLabels, models.Model):
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="generation"
    )
    generation_type = models.CharField(
        _("generation type"), max_length=20, choices=GenerationType.choices, default=GenerationType.INVERTER
    )
    array_area_m2 = models.DecimalField(
        _("arrays' area (m²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    has_storage = models.BooleanField(_("has storage"), default=False)
    storage_kwh = models.DecimalField(
        _("storage energy (kWh)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    storage_kw = models.DecimalField(
        _("storage power (kW)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    storage_islanded = models.BooleanField(_("islanded operation"), default=False)
    building_type = models.CharField(
        _("building type"), max_length=30, choices=BuildingType.choices, default=BuildingType.INDIVIDUAL
    )
    leased_roof = models.BooleanField(_("leased roof"), default=False)
    lessor_installation = models.CharField(_("lessor's installation"), max_length=10, blank=True)
    breaker_a = models.PositiveIntegerField(_("entrance breaker (A)"), null=True, blank=True)
    breaker_poles = models.PositiveSmallIntegerField(
        _("breaker poles"), null=True, blank=True, choices=[(1, "1"), (2, "2"), (3, "3")]
    )
    pole_under_30m = models.BooleanField(_("distance to the pole under 30 m"), null=True, blank=True)
    units_mode = models.CharField(
        _("participating units by"), max_length=10, choices=UnitsMode.choices, default=UnitsMode.PERCENT
    )

    # Every save of the step bumps the version: the generated documents are re-rendered per version and the
    # analyst's verdict holds for the version it was given on.
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    verdict = models.CharField(_("verdict"), max_length=15, choices=Verdict.choices, blank=True)
    verdict_note = models.TextField(_("verdict note"), blank=True)
    verdict_version = models.PositiveIntegerField(_("version judged"), null=True, blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("judged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verdict_at = models.DateTimeField(_("judged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("generation data")
        verbose_name_plural = _("generation data")

    def __str__(self):
        return f"{self.case} v{self.version}"

    @property
    def verdict_current(self):
        """The verdict given on this version of the data ('' when none was, or the data changed since)."""
        return self.verdict if self.verdict_version == self.version else ""


class Row(models.Model):
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    manufacturer = models.CharField(_("manufacturer"), max_length=100)
    model = models.CharField(_("model"), max_length=100)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.quantity} × {self.manufacturer} {self.model}"


class ModuleRow(Row):
    data = models.ForeignKey(GenerationData, on_delete=models.CASCADE, related_name="modules")
    power_w = models.DecimalField(_("power (W)"), max_digits=8, decimal_places=1)

    class Meta(Row.Meta):
        verbose_name = _("module")
        verbose_name_plural = _("modules")


class InverterRow(Row):
    data = models.ForeignKey(GenerationData, on_delete=models.CASCADE, related_name="inverters")
    power_kw = models.DecimalField(_("AC power (kW)"), max_digits=9, decimal_places=3)
    voltage_v = models.PositiveIntegerField(_("connection voltage (V)"))
    inmetro = models.CharField(_("INMETRO registration number"), max_length=40, blank=True)

    class Meta(Row.Meta):
        verbose_name = _("inverter")
        verbose_name_plural = _("inverters")


class GeneratorRow(Row):
    data = models.ForeignKey(GenerationData, on_delete=models.CASCADE, related_name="generators")
    power_kva = models.DecimalField(_("power (kVA)"), max_digits=9, decimal_places=2)

    class Meta(Row.Meta):
        verbose_name = _("generator")
        verbose_name_plural = _("generators")


class ParticipatingUnit(models.Model):
    """A unit receiving credits, filed with the request (remoto, compartilhada, EMUC; SPEC §7.1, §16)."""

    data = models.ForeignKey(GenerationData, on_delete=models.CASCADE, related_name="units")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    installation_number = models.CharField(_("installation"), max_length=10)
    percentage = models.DecimalField(_("percentage"), max_digits=5, decimal_places=2, null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    # The titular confirms the units on the case; only then do they become its allocation at connection.
    confirmed_at = models.DateTimeField(_("confirmed by the titular at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("participating unit")
        verbose_name_plural = _("participating units")

    def __str__(self):
        return self.installation_number


class Declaration(models.Model):
    data = models.ForeignKey(GenerationData, on_delete=models.CASCADE, related_name="declarations")
    code = models.CharField(_("declaration"), max_length=4, choices=DeclarationCode.choices)
    accepted = models.BooleanField(_("accepted"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("declared by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("declared at"))

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["data", "code"], name="generation_declaration_once")]
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")

    def __str__(self):
        return self.code
