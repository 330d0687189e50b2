"""The utility's own registry of customers and installations (SPEC §2).

Read-only for the public: loaded from the customer system's CSV export by `import_registry` (bulk upserts, so
no per-row history here; the import itself is the audit trail) and filled with demo data by `seed_demo`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gdportal.brdocs import format_cep, format_document, mask_document
from gdportal.brformats import money_br


class PersonType(models.TextChoices):
    INDIVIDUAL = "PF", _("Individual (física)")
    COMPANY = "PJ", _("Company (jurídica)")


class InstallationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Voltage(models.TextChoices):
    LOW = "BT", _("Low voltage (BT)")
    MEDIUM = "MT", _("Medium voltage (MT)")


class InstallationClass(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    COMMERCIAL = "commercial", _("Commercial, services and other activities")
    RURAL = "rural", _("Rural")
    PUBLIC_SERVICE = "public_service", _("Public service")
    INDUSTRIAL = "industrial", _("Industrial")
    PUBLIC_POWER = "public_power", _("Public authority")


class Phases(models.TextChoices):
    SINGLE = "single", _("Single-phase")
    TWO = "two", _("Two-phase")
    THREE = "three", _("Three-phase")


class CustomerQuerySet(models.QuerySet):
    def for_user(self, user):
        """The customers a user may reach: staff all of them, a customer only their own, an approved RT any
        one they look up by an exact identifier (to file on the customer's behalf; personal data stay masked
        until the RT serves them — atende.selectors.sees_personal_data — and every lookup is audited)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff or user.is_rt:
            return self
        if user.customer_id:
            return self.filter(pk=user.customer_id)
        return self.none()


class Customer(models.Model):
    number = models.CharField(_("client number"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    document = models.CharField(
        _("CPF/CNPJ"), max_length=14, unique=True, help_text=_("Stored without mask.")
    )
    person_type = models.CharField(_("person type"), max_length=2, choices=PersonType.choices)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["number"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return f"{self.number} — {self.name}"

    @property
    def document_display(self):
        return format_document(self.document)

    @property
    def document_masked(self):
        return mask_document(self.document)

    def overdue_debts(self, today=None):
        today = today or timezone.localdate()
        return self.debts.filter(due_date__lt=today, amount__gt=0)


class Debt(models.Model):
    """An open bill. Any one past its due date blocks a new access request (SPEC §4.2)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="debts")
    reference = models.CharField(_("reference"), max_length=40)
    amount = models.DecimalField(_("amount (R$)"), max_digits=12, decimal_places=2)
    due_date = models.DateField(_("due date"))

    class Meta:
        verbose_name = _("debt")
        verbose_name_plural = _("debts")
        ordering = ["due_date"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "reference"], name="debt_unique_reference"),
            models.CheckConstraint(condition=Q(amount__gte=Decimal("0")), name="debt_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.reference} — {money_br(self.amount)} ({self.due_date:%d/%m/%Y})"


class InstallationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The installations a user may reach: the same rule as CustomerQuerySet.for_user."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff or user.is_rt:
            return self
        if user.customer_id:
            return self.filter(customer_id=user.customer_id)
        return self.none()

    def active(self):
        return self.filter(status=InstallationStatus.ACTIVE)


class Installation(models.Model):
    number = models.CharField(_("installation number"), max_length=10, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="installations"
    )
    status = models.CharField(_("status"), max_length=10, choices=InstallationStatus.choices)
    voltage = models.CharField(_("voltage"), max_length=2, choices=Voltage.choices)
    installation_class = models.CharField(_("class"), max_length=20, choices=InstallationClass.choices)
    phases = models.CharField(_("phases"), max_length=10, choices=Phases.choices)
    street = models.CharField(_("street"), max_length=200)
    street_number = models.CharField(_("number"), max_length=20)
    complement = models.CharField(_("complement"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100)
    municipality = models.CharField(_("municipality"), max_length=100)
    state = models.CharField(_("state"), max_length=2, default="MG")
    cep = models.CharField(_("CEP"), max_length=8)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    available_power_kw = models.DecimalField(_("available power (kW)"), max_digits=10, decimal_places=2)
    regional_office = models.CharField(_("regional office"), max_length=60)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = InstallationQuerySet.as_manager()

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installations")
        ordering = ["number"]
        indexes = [models.Index(fields=["regional_office"])]

    def __str__(self):
        return self.number

    @property
    def is_active(self):
        return self.status == InstallationStatus.ACTIVE

    @property
    def cep_display(self):
        return format_cep(self.cep)

    @property
    def address(self):
        parts = [
            f"{self.street}, {self.street_number}",
            self.complement,
            self.district,
            f"{self.municipality}/{self.state}",
            self.cep_display,
        ]
        return " — ".join(p for p in parts if p)


REGIONAL_OFFICES_CACHE_KEY = "registry:regional-offices"


def regional_offices():
    """The regional offices in the registry, cached: a DISTINCT over every installation on each admin page
    cost 20–30 ms at 100,000 installations. import_registry clears it."""
    from gdportal.cache import cache_get_or_set

    return cache_get_or_set(
        REGIONAL_OFFICES_CACHE_KEY,
        lambda: list(
            Installation.objects.order_by("regional_office")
            .values_list("regional_office", flat=True)
            .distinct()
        ),
        60 * 60,
    )


class ConsumptionReading(models.Model):
    """One monthly billing-cycle reading; the calculator averages the last 12."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="readings")
    month = models.DateField(_("month"), help_text=_("First day of the billing month."))
    kwh = models.PositiveIntegerField(_("consumption (kWh)"))

    class Meta:
        verbose_name = _("consumption reading")
        verbose_name_plural = _("consumption readings")
        ordering = ["installation", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "month"], name="reading_unique_month"),
        ]

    def __str__(self):
        return f"{self.installation} {self.month:%m/%Y}: {self.kwh} kWh"


class LookupAudit(models.Model):
    """Who looked up whom, and when: every registry lookup by an RT and every APR "Buscar".

    The rows are also the throttle's counter (a database count, so the limit holds across web nodes and
    while the cache is down).
    """

    class Kind(models.TextChoices):
        SEARCH = "search", _("Installation search")
        FORM = "form", _("Request form opened")
        ORDER_SEARCH = "order_search", _("APR order search")
        # One row of an RT's bulk filing CSV (SPEC §14): a lookup like the form's, counted apart so that a
        # file of 500 requests does not use up the hourly search allowance.
        BULK_ROW = "bulk_row", _("Bulk filing row")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="lookups"
    )
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    query = models.CharField(_("query"), max_length=40, blank=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    succeeded = models.BooleanField(_("found"), default=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("registry lookup")
        verbose_name_plural = _("registry lookups")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "kind", "created_at"], name="lookup_user_kind_at"),
            models.Index(fields=["ip", "kind", "created_at"], name="lookup_ip_kind_at"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()} · {self.query}"


def equipment_key(manufacturer, model):
    """How the INMETRO table matches an inverter: case, accents, spaces and punctuation do not count
    ('SMA Solar', 'sma-solar'; 'SB 5.0-1AV-41', 'sb50 1av 41' meet)."""
    from gdportal.csvimport import fold

    return fold(manufacturer).replace(" ", "") + "|" + fold(model).replace(" ", "")


class InverterCertificate(models.Model):
    """One inverter model registered at INMETRO (Portaria 140/2022), from INMETRO's public list exported to
    CSV and loaded by `import_inverters`. The APR order's equipment rows are checked against it (warnings
    only: the table may lag behind INMETRO's)."""

    manufacturer = models.CharField(_("manufacturer"), max_length=120)
    model = models.CharField(_("model"), max_length=120)
    key = models.CharField(_("key"), max_length=250, unique=True, editable=False)
    power_kw = models.DecimalField(_("power (kW AC)"), max_digits=9, decimal_places=3)
    registration = models.CharField(_("INMETRO registration"), max_length=40)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("INMETRO inverter registration")
        verbose_name_plural = _("INMETRO inverter registrations")
        ordering = ["manufacturer", "model"]

    def __str__(self):
        return f"{self.manufacturer} {self.model} — {self.registration}"

    def save(self, *args, **kwargs):
        self.key = equipment_key(self.manufacturer, self.model)
        super().save(*args, **kwargs)
