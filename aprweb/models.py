"""APR Web (SPEC §5): RT registrations and orders. Documents are atende.DocumentVersion rows of the case."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gdportal.brdocs import format_cep, mask_document
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from gdportal.choicelabels import ChoiceLabels
from gdportal.registry.models import InstallationClass


class Council(models.TextChoices):
    CREA = "CREA", "CREA"
    CAU = "CAU", "CAU"
    CFT = "CFT", "CFT"


class Title(models.TextChoices):
    ELECTRICAL_ENGINEER = "electrical_engineer", _("Electrical engineer")
    ENERGY_ENGINEER = "energy_engineer", _("Energy engineer")
    OTHER_ENGINEER = (
        "other_engineer",
        _("Other engineer with the attributions of art. 8 of CONFEA Res. 218/73 or art. 2 of Res. 1.076/16"),
    )
    ELECTROTECHNICIAN = "electrotechnician", _("Electrotechnical technician")


# Decreto 90.922/85: an electrotechnical technician signs projects up to 800 kVA.
TECHNICIAN_MAX_KVA = 800


class RTRegistration(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting analysis")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    name = models.CharField(_("name"), max_length=200)
    cpf = models.CharField(_("CPF"), max_length=11)
    rg = models.CharField(_("RG"), max_length=20)
    email = models.EmailField(_("e-mail"))
    street = models.CharField(_("street"), max_length=200)
    street_number = models.CharField(_("number"), max_length=20)
    district = models.CharField(_("district"), max_length=100)
    cep = models.CharField(_("CEP"), max_length=8)
    municipality = models.CharField(_("municipality"), max_length=100)
    uf = models.CharField(_("state"), max_length=2, default="MG")
    council = models.CharField(_("professional council"), max_length=4, choices=Council.choices)
    council_number = models.CharField(_("council registration number"), max_length=30)
    title = models.CharField(_("professional title"), max_length=30, choices=Title.choices)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rt_registration",
    )
    # The analysis SLA is a clock like the case's (aprweb/deadline_kinds.py), started by the submission.
    deadlines = GenericRelation(
        "deadlines.Deadline",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="rt_registration",
    )

    class Meta:
        verbose_name = _("RT registration")
        verbose_name_plural = _("RT registrations")
        ordering = ["submitted_at"]
        permissions = [("review_registration", _("Can approve or reject RT registrations"))]
        constraints = [
            models.UniqueConstraint(
                fields=["cpf"], condition=~Q(status="rejected"), name="rt_registration_one_live_per_cpf"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({mask_document(self.cpf)})"

    @property
    def cpf_masked(self):
        return mask_document(self.cpf)

    @cached_property
    def review_clock(self):
        """The analysis clock (SPEC §5.1: 3 business days) the submission started."""
        from .deadline_kinds import RT_REGISTRATION_REVIEW

        return self.deadlines.filter(kind=RT_REGISTRATION_REVIEW.code).order_by("-started_at", "-id").first()

    @property
    def review_due_at(self):
        clock = self.review_clock
        return clock.due_at if clock else None


class OrderRequestType(models.TextChoices):
    APPROVE_PROJECT = "approve_project", _("Approve electrical project")
    LOAD_ANALYSIS = "load_analysis", _("Load analysis on the grid")
    ANALYZE_GD = "analyze_gd", _("Analyze distributed generation")


class ProjectType(models.TextChoices):
    LOW = "BT", _("Low voltage")
    MEDIUM = "MT", _("Medium voltage")


class PlantFormat(models.TextChoices):
    A0 = "A0", "A0"
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    A3 = "A3", "A3"
    A4 = "A4", "A4"


class AprOrderQuerySet(models.QuerySet):
    def for_user(self, user):
        """An RT sees the orders of the cases they hold; staff with the view permission see all."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self if user.has_perm("aprweb.view_aprorder") else self.none()
        if user.is_rt:
            # Orders of the cases the RT holds now: a revoked RT loses them, an RT who claims a suspended case
            # sees the order under correction.
            return self.filter(case__rt=user)
        return self.none()


class AprOrder(ChoiceLabels, models.Model):
    """'Cadastro de pedido': the RT's order for a case. Search columns are copied here on purpose, so the
    order search (SPEC §5.5) filters one indexed table even with a million orders."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="orders"
    )
    rt = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible technician"),
        on_delete=models.PROTECT,
        related_name="apr_orders",
    )
    request_type = models.CharField(
        _("request type"),
        max_length=20,
        choices=OrderRequestType.choices,
        default=OrderRequestType.ANALYZE_GD,
    )
    protocol = models.CharField(_("protocol"), max_length=13, db_index=True)
    ns = models.CharField(_("NS number"), max_length=10, db_index=True)
    ns_date = models.DateTimeField(_("NS date"))
    customer_name = models.CharField(_("customer name"), max_length=200)
    customer_number = models.CharField(_("customer number"), max_length=10, db_index=True)
    installation_number = models.CharField(_("installation number"), max_length=10, blank=True, db_index=True)
    regional = models.CharField(_("regional office"), max_length=60, blank=True)
    situation = models.CharField(_("situation"), max_length=30, choices=CaseState.choices)

    phone = models.CharField(_("phone"), max_length=20)
    project_type = models.CharField(_("project type"), max_length=2, choices=ProjectType.choices)
    art_number = models.CharField(_("project ART number"), max_length=30)
    demand_kva = models.DecimalField(_("demand (kVA)"), max_digits=9, decimal_places=2)
    activity_type = models.CharField(_("activity type"), max_length=20, choices=InstallationClass.choices)
    expected_connection = models.DateField(_("expected connection date"))
    plant_format = models.CharField(_("plan format"), max_length=2, choices=PlantFormat.choices)
    street = models.CharField(_("street"), max_length=200)
    street_number = models.CharField(_("number"), max_length=20)
    district = models.CharField(_("district"), max_length=100)
    cep = models.CharField(_("CEP"), max_length=8)
    municipality = models.CharField(_("municipality"), max_length=100)
    reference_point = models.CharField(_("reference point"), max_length=200, blank=True)
    uses_collective_roof = models.BooleanField(_("the plant uses a collective roof"), default=False)
    has_power_converters = models.BooleanField(_("the plant has power converters (inverters)"), default=True)
    pv_with_storage = models.BooleanField(_("dispatchable photovoltaic plant with storage"), default=False)

    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    observation = models.TextField(_("observation"), blank=True)
    round = models.PositiveSmallIntegerField(_("analysis round"), default=1)
    # The nearest open clock that waits for the RT (register, submit, correct: deadline_kinds.RT_CLOCKS),
    # copied from the case's clocks by aprweb.receivers whenever they change — like `situation` — so the
    # search sorts "most urgent first" on one indexed column. Empty while it is Cemig's turn.
    due_at = models.DateTimeField(_("due by"), null=True, blank=True)
    due_kind = models.CharField(_("deadline kind"), max_length=40, blank=True)

    objects = AprOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("APR order")
        verbose_name_plural = _("APR orders")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["rt", "-submitted_at"], name="aprorder_rt_sent"),
            models.Index(fields=["situation", "-submitted_at"], name="aprorder_situation_sent"),
            models.Index(fields=["regional", "-submitted_at"], name="aprorder_regional_sent"),
            models.Index(fields=["-submitted_at", "-id"], name="aprorder_sent"),
            models.Index(fields=["-registered_at", "-id"], name="aprorder_registered"),
            # Ascending, NULLs last (PostgreSQL's default for ASC): the order of the "most urgent" sort.
            models.Index(fields=["due_at", "id"], name="aprorder_due"),
        ]
        constraints = [
            # Backs aprweb.services_orders.order_register: a second registration in the same round is refused.
            models.UniqueConstraint(fields=["case", "round"], name="aprorder_one_per_case_round"),
        ]

    def __str__(self):
        return f"{self.protocol} / NS {self.ns}"

    @property
    def cep_display(self):
        return format_cep(self.cep)


class TechnicalQueue(Case):
    """Admin entry for the technical analysts: cases under analysis (a proxy of the case)."""

    class Meta:
        proxy = True
        verbose_name = _("technical analysis queue")
        verbose_name_plural = _("technical analysis queue")
