"""The sistema de compensação (SPEC §7): tariffs, generating units and their allocations, monthly readings,
and the append-only credit ledger (lots and entries) with one computed result per unit and cycle.

Quantities are kWh with 3 decimals; money R$ with 2 (SPEC §7). A cycle is stored as the first day of its
billing month.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gdportal.cases.choices import Modality, Source
from gdportal.registry.models import Customer, Installation, InstallationClass, Voltage

KWH = {"max_digits": 14, "decimal_places": 3}
BRL = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 10, "decimal_places": 6}  # R$/kWh


class TariffGroup(models.TextChoices):
    A = "A", _("Group A (medium voltage)")
    B = "B", _("Group B (low voltage)")


class Tariff(models.Model):
    """R$/kWh without taxes, valid from a date, per group and class (SPEC §7.2; `import_tariffs`)."""

    valid_from = models.DateField(_("valid from"))
    group = models.CharField(
        _("tariff group"), max_length=1, choices=TariffGroup.choices, default=TariffGroup.B
    )
    installation_class = models.CharField(_("class"), max_length=20, choices=InstallationClass.choices)
    te = models.DecimalField(_("TE (R$/kWh)"), **RATE)
    tusd = models.DecimalField(_("TUSD (R$/kWh)"), **RATE)
    fio_a = models.DecimalField(_("TUSD Fio A (R$/kWh)"), **RATE)
    fio_b = models.DecimalField(_("TUSD Fio B (R$/kWh)"), **RATE)

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["-valid_from", "group", "installation_class"]
        constraints = [
            models.UniqueConstraint(
                fields=["valid_from", "group", "installation_class"], name="tariff_unique"
            ),
        ]

    def __str__(self):
        return f"{self.group} {self.get_installation_class_display()} {self.valid_from:%d/%m/%Y}"

    @property
    def full(self):
        """T: the full energy tariff the consumer pays per kWh (TE + TUSD)."""
        return self.te + self.tusd


class GdClass(models.TextChoices):
    GD_I = "I", _("GD I")
    GD_II = "II", _("GD II")
    GD_III = "III", _("GD III")


class Generator(models.Model):
    """A generating unit in the sistema de compensação: connected through the portal (its case reached
    `connected`) or imported (`import_generators`)."""

    installation = models.OneToOneField(
        Installation, verbose_name=_("installation"), on_delete=models.PROTECT, related_name="generator"
    )
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="generator",
    )
    connected_on = models.DateField(_("connected on"))
    power_kw = models.DecimalField(_("installed power (kW)"), max_digits=9, decimal_places=2)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)
    requested_on = models.DateField(_("access requested on"))
    dispatchable = models.BooleanField(_("dispatchable"), default=False)
    gd_class = models.CharField(_("GD class"), max_length=3, choices=GdClass.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("generating unit")
        verbose_name_plural = _("generating units")
        ordering = ["installation__number"]

    def __str__(self):
        return f"{self.installation.number} ({self.power_kw} kW)"


class GeneratorExpansion(models.Model):
    """An ampliação connected through the portal (SPEC §16): the power it added, with that request's own date
    and GD class (§7.2), kept apart from the plant's original request date and class, which it does not
    change. The generator's power_kw is the plant's total after it."""

    generator = models.ForeignKey(
        Generator, verbose_name=_("generating unit"), on_delete=models.PROTECT, related_name="expansions"
    )
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="generator_expansion"
    )
    previous_kw = models.DecimalField(_("power before (kW)"), max_digits=9, decimal_places=2)
    added_kw = models.DecimalField(_("power added (kW)"), max_digits=9, decimal_places=2)
    requested_on = models.DateField(_("access requested on"))
    gd_class = models.CharField(_("GD class of the added power"), max_length=3, choices=GdClass.choices)
    connected_on = models.DateField(_("connected on"))

    class Meta:
        verbose_name = _("generating unit expansion")
        verbose_name_plural = _("generating unit expansions")
        ordering = ["connected_on", "id"]

    def __str__(self):
        return f"{self.generator} +{self.added_kw} kW"


class AllocationMode(models.TextChoices):
    PERCENT = "percent", _("Percentages")
    PRIORITY = "priority", _("Priority order")


class AllocationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting analysis")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class UnitType(models.TextChoices):
    """The seed's "Tipo da unidade" on the Cadastramento de UC recebedora."""

    MICRO = "micro", _("Microgeneration (< 75 kW)")
    MULTIPLE_UNITS = "emuc", _("Multiple consumer units")
    SHARED = "shared", _("Shared generation")
    MINI = "mini", _("Minigeneration (> 75 kW)")
    REMOTE = "remote", _("Remote self-consumption")


class LegalForm(models.TextChoices):
    """How the participants of a shared generation are bound (Lei 14.300 art. 1º X); the last one is refused
    (ANEEL Ofício Circular 15/2021): a consórcio de bens is not an association for generating energy."""

    CONSORTIUM = "consortium", _("Consortium (civil or business)")
    COOPERATIVE = "cooperative", _("Cooperative (at least 20 members)")
    CONDOMINIUM = "condominium", _("Condominium (voluntary civil or building)")
    ASSOCIATION = "association", _("Other civil association formed for this purpose")
    CONSORTIUM_11795 = "consortium_11795", _("Consortium under Lei 11.795/2008 (consórcio de bens)")


class AllocationSet(models.Model):
    """One registration of receiving units (Cadastramento de UC recebedora) and, once accepted, one
    allocation in force from `first_cycle` to `last_cycle` (open while it is the current one). Never
    rewritten: a new registration is a new set, and the one it replaces gets its last cycle."""

    generator = models.ForeignKey(
        Generator, verbose_name=_("generating unit"), on_delete=models.PROTECT, related_name="allocation_sets"
    )
    mode = models.CharField(_("allocation"), max_length=10, choices=AllocationMode.choices)
    # Priority order: the unit that takes what is left (SPEC §7.2 step 2); else the one that consumed most.
    remainder_to = models.ForeignKey(
        Installation,
        verbose_name=_("unit that takes the remainder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AllocationStatus.choices, default=AllocationStatus.PENDING
    )
    first_cycle = models.DateField(_("first cycle"), null=True, blank=True)
    last_cycle = models.DateField(_("last cycle"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_reason = models.TextField(_("reason for the refusal"), blank=True)
    imported = models.BooleanField(_("imported"), default=False)
    # The seed's form (type of unit, voltage, contact person); the legal instrument goes as a file below.
    unit_type = models.CharField(_("type of unit"), max_length=10, choices=UnitType.choices, blank=True)
    voltage = models.CharField(_("customer connected at"), max_length=2, choices=Voltage.choices, blank=True)
    legal_form = models.CharField(
        _("legal form of the shared generation"), max_length=20, choices=LegalForm.choices, blank=True
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact_mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    legal_instrument = models.FileField(_("legal instrument"), max_length=200, blank=True)
    legal_instrument_name = models.CharField(_("legal instrument file name"), max_length=255, blank=True)
    legal_instrument_sha256 = models.CharField(_("legal instrument SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("receiving units registration")
        verbose_name_plural = _("receiving units registrations")
        ordering = ["-requested_at", "-id"]
        # The commercial analyst's decision (SPEC §1: receiving-unit registrations are commercial).
        permissions = [("review_allocation", _("Can accept or refuse receiving-unit registrations"))]
        indexes = [models.Index(fields=["generator", "status", "first_cycle"])]

    def __str__(self):
        return f"{self.generator.installation.number} — {self.requested_at:%d/%m/%Y}"


class Allocation(models.Model):
    """One receiving unit of a set: a percentage of the surplus, or a place in the priority order."""

    allocation_set = models.ForeignKey(
        AllocationSet, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="rows"
    )
    installation = models.ForeignKey(
        Installation, verbose_name=_("installation"), on_delete=models.PROTECT, related_name="+"
    )
    percent = models.DecimalField(_("percentage (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)

    class Meta:
        verbose_name = _("receiving unit")
        verbose_name_plural = _("receiving units")
        ordering = ["allocation_set", "priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["allocation_set", "installation"], name="allocation_unit_once"),
        ]

    def __str__(self):
        return self.installation.number


class Reading(models.Model):
    """What the billing system measured in a cycle (`import_readings`): consumed from and injected into the
    grid. A corrected reading replaces the row and recomputes that cycle and the later ones."""

    installation = models.ForeignKey(
        Installation, verbose_name=_("installation"), on_delete=models.PROTECT, related_name="gd_readings"
    )
    cycle = models.DateField(_("cycle"))
    consumed_kwh = models.DecimalField(_("consumed (kWh)"), **KWH)
    injected_kwh = models.DecimalField(_("injected (kWh)"), **KWH)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["installation", "cycle"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "cycle"], name="reading_once_per_cycle")
        ]
        indexes = [models.Index(fields=["cycle", "installation"])]

    def __str__(self):
        return f"{self.installation.number} {self.cycle:%Y-%m}"


class CreditLot(models.Model):
    """Credits born in one cycle at one unit, with the GD class of the energy that made them (SPEC §7.2).

    `remaining_kwh` is a cache of the sum of the lot's entries, kept by the ledger in the same transaction
    that writes them; the entries are the truth. A lot whose unit's contract ended without a named unit stays
    in its titular's name (`installation` null, `customer` set) until a unit takes it or it expires."""

    installation = models.ForeignKey(
        Installation,
        verbose_name=_("installation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_lots",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("titular"), on_delete=models.PROTECT, related_name="+"
    )
    origin_cycle = models.DateField(_("origin cycle"))
    gd_class = models.CharField(_("GD class"), max_length=3, choices=GdClass.choices)
    # The request date of the generator whose energy made the lot: a GD II request filed in Lei 14.300 art. 27
    # §2's window pays the transition's share until 2030, the others the art. 17 rule from 2029.
    requested_on = models.DateField(_("access requested on"), null=True, blank=True)
    expires_after = models.DateField(_("expires after the cycle"))
    remaining_kwh = models.DecimalField(_("remaining (kWh)"), **KWH)

    class Meta:
        verbose_name = _("credit lot")
        verbose_name_plural = _("credit lots")
        ordering = ["installation", "origin_cycle", "id"]
        indexes = [
            models.Index(
                fields=["installation", "origin_cycle", "id"],
                condition=Q(remaining_kwh__gt=0),
                name="lot_open_by_unit",
            ),
            models.Index(
                fields=["expires_after"], condition=Q(remaining_kwh__gt=0), name="lot_open_by_expiry"
            ),
        ]

    def __str__(self):
        return f"{self.installation_id} {self.origin_cycle:%Y-%m} {self.remaining_kwh} kWh"


class EntryKind(models.TextChoices):
    CREATED = "created", _("Credits created")
    USED = "used", _("Credits used")
    EXPIRED = "expired", _("Credits expired")
    TRANSFERRED_OUT = "transferred_out", _("Credits transferred out")
    TRANSFERRED_IN = "transferred_in", _("Credits transferred in")
    REVERSAL = "reversal", _("Reversal")


class LedgerEntry(models.Model):
    """One movement of one lot, never updated: `kwh` is signed (+ into the lot, − out of it); a correction is
    a reversal entry pointing at the entry it cancels."""

    lot = models.ForeignKey(
        CreditLot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="entries"
    )
    installation = models.ForeignKey(
        Installation, verbose_name=_("installation"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    cycle = models.DateField(_("cycle"))
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    kwh = models.DecimalField(_("kWh"), **KWH)
    # Where received credits came from (the generator of the cycle) or went to (a contract-end transfer).
    counterpart = models.ForeignKey(
        Installation, verbose_name=_("counterpart"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), on_delete=models.PROTECT, null=True, related_name="reversed_by"
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["cycle", "id"]
        indexes = [models.Index(fields=["installation", "cycle"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.kwh} kWh {self.cycle:%Y-%m}"


class CycleResult(models.Model):
    """A unit's bill for energy in one cycle, as the ledger computed it: what the statement shows and the CSV
    of `compensation_statement` prints. Recomputing a cycle replaces its row (the entries it wrote are
    reversed, never deleted)."""

    installation = models.ForeignKey(
        Installation, verbose_name=_("installation"), on_delete=models.PROTECT, related_name="cycle_results"
    )
    cycle = models.DateField(_("cycle"))
    consumed_kwh = models.DecimalField(_("consumed (kWh)"), **KWH)
    injected_kwh = models.DecimalField(_("injected (kWh)"), **KWH)
    compensated_own_kwh = models.DecimalField(_("compensated from the cycle's injection (kWh)"), **KWH)
    compensated_received_kwh = models.DecimalField(_("compensated from credits received (kWh)"), **KWH)
    compensated_lots_kwh = models.DecimalField(_("compensated from own credits (kWh)"), **KWH)
    received_kwh = models.DecimalField(_("received from generators (kWh)"), **KWH)
    credits_created_kwh = models.DecimalField(_("credits created (kWh)"), **KWH)
    credits_used_kwh = models.DecimalField(_("credits used (kWh)"), **KWH)
    credits_expired_kwh = models.DecimalField(_("credits expired (kWh)"), **KWH)
    credits_transferred_kwh = models.DecimalField(_("credits transferred out (kWh)"), **KWH)
    balance_kwh = models.DecimalField(_("balance (kWh)"), **KWH)
    energy_parcel_brl = models.DecimalField(_("energy parcel (R$)"), **BRL)
    parcel_without_gd_brl = models.DecimalField(_("energy parcel without GD (R$)"), **BRL)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("cycle result")
        verbose_name_plural = _("cycle results")
        ordering = ["installation", "cycle"]
        constraints = [models.UniqueConstraint(fields=["installation", "cycle"], name="cycle_result_once")]
        indexes = [models.Index(fields=["cycle", "installation"])]

    def __str__(self):
        return f"{self.installation_id} {self.cycle:%Y-%m}"

    @property
    def compensated_kwh(self):
        return self.compensated_own_kwh + self.compensated_received_kwh + self.compensated_lots_kwh
