"""The case and what hangs from it: its audit events and its document versions (SPEC §3).

The tables keep the names they had when the case lived in the stage-1 app (`atende_*`): the kernel took the
models over without moving a row (migration cases.0001 is state-only).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from gdportal.brdocs import format_cep, mask_document
from gdportal.brformats import datetime_br
from gdportal.choicelabels import ChoiceLabels
from gdportal.registry.models import InstallationClass

from .choices import (
    AWAITING_RT_STATES,
    CANCELLABLE,
    INSPECTION_REQUESTABLE,
    INSPECTION_STATES,
    PARECER_CANCELLABLE,
    CaseKind,
    CaseState,
    EventAction,
    FlowDispensation,
    GfcBank,
    GfcForm,
    Modality,
    Reason,
    RequestType,
    Source,
    Verdict,
)
from .kinds import inspection_kinds, kind_label

# Commercial and technical analysts see every case (SPEC §1); any other staff role with the case-view
# permission — the inspector — sees only the cases in inspection and their technical files.
VIEW_ALL_CASES = "cases.view_all_cases"


def sees_every_case(user):
    return user.is_staff and user.has_perm("cases.view_case") and user.has_perm(VIEW_ALL_CASES)


class NumberSequence(models.Model):
    """A locked counter: protocol and NS numbers come from here, never from max()+1."""

    name = models.CharField(max_length=40, primary_key=True)
    last_value = models.BigIntegerField(default=0)

    class Meta:
        db_table = "atende_numbersequence"
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self):
        return f"{self.name}: {self.last_value}"


class CaseQuerySet(models.QuerySet):
    def for_user(self, user):
        """The one visibility rule every view, the admin and the API use (SPEC §10).

        A draft is its filer's alone, whoever else the case will belong to: the holder does not see an RT's
        half-typed request, nor staff a request nobody has sent.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self._scope(user).exclude(Q(state=CaseState.DRAFT) & ~Q(filed_by=user))

    def _scope(self, user):
        if user.is_staff:
            if sees_every_case(user):
                return self
            if user.has_perm("cases.view_case"):
                return self.filter(state__in=INSPECTION_STATES)
            return self.none()
        if user.is_rt:
            # The RT holds the case (filed by them, or claimed with the customer's code) — a revoked RT no
            # longer does; a draft is its filer's alone.
            return self.filter(Q(rt=user) | Q(filed_by=user, state=CaseState.DRAFT))
        if user.customer_id:
            return self.filter(customer_id=user.customer_id)
        return self.none()

    def filed(self):
        return self.exclude(state=CaseState.DRAFT)


class Case(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    kind = models.CharField(_("service"), max_length=20, choices=CaseKind.choices, default=CaseKind.ACCESS)
    state = FSMField(_("state"), max_length=30, choices=CaseState.choices, default=CaseState.DRAFT)
    protocol = models.CharField(_("protocol"), max_length=13, unique=True, null=True, blank=True)
    ns = models.CharField(_("service note (NS)"), max_length=10, unique=True, null=True, blank=True)
    ns_issued_at = models.DateTimeField(_("NS date"), null=True, blank=True)

    customer = models.ForeignKey(
        "registry.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="cases"
    )
    installation = models.ForeignKey(
        "registry.Installation",
        verbose_name=_("installation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="filed_cases",
    )
    rt = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible technician"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rt_cases",
    )

    reason = models.CharField(_("reason for the request"), max_length=20, choices=Reason.choices)
    holder_name = models.CharField(_("holder of the consumer unit"), max_length=200)
    installation_class = models.CharField(
        _("installation class"), max_length=20, choices=InstallationClass.choices
    )
    document = models.CharField(_("CPF/CNPJ"), max_length=14)
    cep = models.CharField(_("CEP"), max_length=8)
    street = models.CharField(_("street/avenue"), max_length=200)
    street_number = models.CharField(_("number"), max_length=20)
    complement = models.CharField(_("complement"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100)
    municipality = models.CharField(_("municipality"), max_length=100)
    uf = models.CharField(_("state"), max_length=2, default="MG")
    phone = models.CharField(_("phone"), max_length=20)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)

    power_kw = models.DecimalField(_("installed power (kW)"), max_digits=9, decimal_places=2)
    source = models.CharField(_("source type"), max_length=20, choices=Source.choices)
    request_type = models.CharField(_("request type"), max_length=20, choices=RequestType.choices)
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)

    requester_name = models.CharField(_("customer or legal representative"), max_length=200)
    requester_phone = models.CharField(_("requester phone"), max_length=20)
    requester_email = models.EmailField(_("requester e-mail"))
    other_info = models.TextField(_("other information"), blank=True)
    declaration = models.BooleanField(_("declaration accepted"), default=False)

    gfc_form = models.CharField(_("guarantee form"), max_length=10, choices=GfcForm.choices, blank=True)
    gfc_bank = models.CharField(_("guarantor bank"), max_length=20, choices=GfcBank.choices, blank=True)
    gfc_amount = models.DecimalField(
        _("guarantee amount (R$)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    claim_code = models.CharField(
        _("claim code"),
        max_length=8,
        blank=True,
        help_text=_("Given to the customer at filing; an RT takes a customer's case only with it."),
    )
    flow_dispensation = models.CharField(
        _("dispensed from the flow-inversion analysis (art. 73-A)"),
        max_length=12,
        choices=FlowDispensation.choices,
        blank=True,
        default="",
    )
    # SPEC §15, set at filing (gdportal/cases/filing_checks.py): how far the typed coordinates lie from the
    # registry's location of the UC (null when the registry has none), and why the filer kept them when
    # farther than GD_COORDINATES_MAX_DISTANCE_M. The analyst reads both on the case.
    coordinates_distance_m = models.PositiveIntegerField(
        _("distance from the registered address (m)"), null=True, blank=True
    )
    coordinates_confirmed = models.BooleanField(_("coordinates confirmed by the filer"), default=False)
    coordinates_reason = models.TextField(_("why the coordinates were confirmed"), blank=True)
    # Art. 73-A: what the filer ticked; flow_dispensation above is what the rules made of it.
    fast_track_term = models.BooleanField(
        _("fast-track term accepted (surplus not allocated)"), default=False
    )
    grid_zero = models.BooleanField(_("grid zero declared (no injection into the grid)"), default=False)
    decision_note = models.TextField(_("reason of the last decision"), blank=True)
    grid_works_needed = models.BooleanField(_("grid works needed"), default=False)
    answer = models.TextField(_("answer to the consultation"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    # When the case entered its current state: queues sort "oldest waiting first" on (state, this) by index.
    state_changed_at = models.DateTimeField(_("in this state since"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The history is read one case at a time (by id, in date order); the other indexes simple-history would
    # copy from the case (protocol and NS with their LIKE twins, four foreign keys) only made every historical
    # row cost eight more index entries: half the deadline sweep's history time (issue 15, bench/README.md).
    history = HistoricalRecords(
        table_name="atende_historicalaccessrequest",
        no_db_index=["protocol", "ns", "customer", "installation", "filed_by", "rt"],
    )
    # The case's clocks (SPEC §9): the deadline engine keeps them by content type and id, knowing no case.
    deadlines = GenericRelation(
        "deadlines.Deadline",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="case",
    )
    objects = CaseQuerySet.as_manager()

    class Meta:
        db_table = "atende_accessrequest"
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-submitted_at", "-id"]
        permissions = [
            ("commercial_review", _("Can approve or reject access requests (commercial analysis)")),
            ("answer_consultation", _("Can answer access consultations")),
            ("technical_review", _("Can judge documents and approve, suspend or reject orders (technical)")),
            ("view_all_cases", _("Can see every case, not only those in inspection")),
            ("inspect", _("Can schedule inspections and record their results")),
            (
                "manage_guarantee",
                _("Can verify and release guarantees (GFC) and record financial participation payments"),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            models.Index(fields=["-submitted_at", "-id"], name="case_submitted_desc"),
            models.Index(fields=["state", "state_changed_at", "id"], name="case_state_since"),
            models.Index(fields=["document"], name="case_document"),
            models.Index(fields=["customer", "state"]),
            models.Index(fields=["rt", "state"]),
        ]

    def __str__(self):
        return self.protocol or _("Draft #%(id)s") % {"id": self.pk}

    @property
    def coordinates_distance_display(self):
        """'101 m' / '2,3 km' from the registry's location of the UC (SPEC §15), '' when it has none."""
        from gdportal.geo import distance_br

        return "" if self.coordinates_distance_m is None else distance_br(self.coordinates_distance_m)

    # The state machine of SPEC §3. Only the stages' service functions call these, through
    # gdportal.cases.services.case_transition, inside a transaction with the row locked; the methods
    # themselves only move the state.
    @transition(field=state, source=CaseState.DRAFT, target=CaseState.SUBMITTED)
    def submit(self):
        pass

    @transition(
        field=state,
        source=CaseState.SUBMITTED,
        target=CaseState.AWAITING_TECHNICAL,
        conditions=[lambda case: case.kind == CaseKind.ACCESS],
    )
    def commercial_approve(self):
        pass

    @transition(field=state, source=CaseState.SUBMITTED, target=CaseState.COMMERCIAL_REJECTED)
    def commercial_reject(self):
        pass

    @transition(
        field=state,
        source=CaseState.SUBMITTED,
        target=CaseState.CONSULTATION_ANSWERED,
        conditions=[lambda case: case.kind == CaseKind.CONSULTATION],
    )
    def answer_consultation(self):
        pass

    @transition(field=state, source=CANCELLABLE, target=CaseState.CANCELLED)
    def cancel(self):
        pass

    # Stage 2 (APR Web, SPEC §5.4 and §6.2).
    @transition(field=state, source=CaseState.AWAITING_TECHNICAL, target=CaseState.TECHNICAL_REVIEW)
    def apr_submit(self):
        pass

    @transition(field=state, source=CaseState.TECHNICAL_REVIEW, target=CaseState.PENDING_CORRECTION)
    def suspend(self):
        pass

    @transition(field=state, source=CaseState.PENDING_CORRECTION, target=CaseState.TECHNICAL_REVIEW)
    def apr_resubmit(self):
        pass

    @transition(field=state, source=CaseState.TECHNICAL_REVIEW, target=CaseState.TECHNICAL_REJECTED)
    def technical_reject(self):
        pass

    @transition(field=state, source=CaseState.TECHNICAL_REVIEW, target=CaseState.APPROVED)
    def technical_approve(self):
        pass

    @transition(
        field=state,
        source=[CaseState.TECHNICAL_REJECTED, CaseState.PENDING_CORRECTION],
        target=CaseState.TECHNICAL_REVIEW,
    )
    def reanalysis_review(self):
        pass

    @transition(field=state, source=CaseState.EXPIRED, target=CaseState.AWAITING_TECHNICAL)
    def reanalysis_restart(self):
        pass

    # After the technical approval (SPEC §3, §6): the parecer, its acceptance, the inspection.
    @transition(field=state, source=CaseState.APPROVED, target=CaseState.PARECER_ISSUED)
    def issue_parecer(self):
        pass

    @transition(field=state, source=CaseState.APPROVED, target=CaseState.PARECER_UNFAVOURABLE)
    def issue_unfavourable_parecer(self):
        pass

    @transition(field=state, source=CaseState.PARECER_ISSUED, target=CaseState.PARECER_ACCEPTED)
    def accept_parecer(self):
        pass

    @transition(field=state, source=PARECER_CANCELLABLE, target=CaseState.PARECER_EXPIRED)
    def expire_parecer(self):
        pass

    @transition(field=state, source=PARECER_CANCELLABLE, target=CaseState.CANCELLED)
    def cancel_parecer(self):
        pass

    @transition(field=state, source=INSPECTION_REQUESTABLE, target=CaseState.INSPECTION_REQUESTED)
    def request_inspection(self):
        pass

    @transition(field=state, source=CaseState.INSPECTION_REQUESTED, target=CaseState.CONNECTED)
    def inspection_pass(self):
        pass

    @transition(field=state, source=CaseState.INSPECTION_REQUESTED, target=CaseState.INSPECTION_FAILED)
    def inspection_fail(self):
        pass

    # Applied by the deadline sweep to whole batches at once (gdportal/cases/lapse.py), whose WHERE takes the
    # same list: the lapse moves exactly the cases this transition would.
    @transition(field=state, source=AWAITING_RT_STATES, target=CaseState.EXPIRED)
    def expire(self):
        pass

    @property
    def is_consultation(self):
        return self.kind == CaseKind.CONSULTATION

    @property
    def claim_code_display(self):
        return f"{self.claim_code[:4]}-{self.claim_code[4:]}" if self.claim_code else ""

    @property
    def document_masked(self):
        return mask_document(self.document)

    @property
    def cep_display(self):
        return format_cep(self.cep)

    @property
    def address(self):
        parts = [
            f"{self.street}, {self.street_number}",
            self.complement,
            self.district,
            f"{self.municipality}/{self.uf}",
            self.cep_display,
        ]
        return " — ".join(p for p in parts if p)

    @property
    def notify_emails(self):
        """Answers go to the customer and to the RT (the seed)."""
        emails = [self.email, self.customer.email, self.requester_email]
        if self.rt_id:
            emails.append(self.rt.email)
        return [e for e in dict.fromkeys(e.lower() for e in emails if e)]


class CaseEvent(ChoiceLabels, models.Model):
    """One line of the case's timeline: every transition, message and document, never rewritten."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40, choices=EventAction.choices)
    from_state = models.CharField(_("from"), max_length=30, blank=True, choices=CaseState.choices)
    to_state = models.CharField(_("to"), max_length=30, blank=True, choices=CaseState.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        db_table = "atende_caseevent"
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]

    def __str__(self):
        # Shown by the admin's inline beside the formatted `created_at`: the same São Paulo time.
        return f"{self.case} {self.get_action_display()} {datetime_br(self.created_at)}"


class DocumentVersionQuerySet(models.QuerySet):
    def for_user(self, user):
        """The files a user may open: those of the cases they see (Case.objects.for_user); staff who do not
        see every case (the inspector) get the technical files and the parecer, never identity papers."""
        if not user.is_authenticated:
            return self.none()
        cases = Case.objects.for_user(user)
        versions = self.filter(case__in=cases)
        if user.is_staff and not sees_every_case(user):
            versions = versions.filter(kind__in=inspection_kinds())
        return versions


class DocumentVersion(ChoiceLabels, models.Model):
    """One uploaded version of one kind of document; a new upload adds a row, nothing is overwritten."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=40)
    file = models.FileField(_("file"), max_length=200)
    original_name = models.CharField(_("original name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("content type"), max_length=60)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    verdict = models.CharField(_("verdict"), max_length=15, choices=Verdict.choices, blank=True)
    verdict_note = models.TextField(_("analyst's note"), blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verdict by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verdict_at = models.DateTimeField(_("verdict at"), null=True, blank=True)
    # One round of pendências (REN 1.000 art. 10, SPEC §15): a version marked Conforme in an earlier round
    # turns Não conforme only as a "fato novo", explained; such verdicts are counted apart.
    new_fact = models.BooleanField(_("new fact"), default=False)
    new_fact_note = models.TextField(_("new fact: explanation"), blank=True)
    # When the automatic checks ran (findings.py; their findings hang from the version): empty until then.
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        db_table = "atende_documentversion"
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["kind", "-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["case", "kind", "-uploaded_at"]),
            # The sweep of versions whose checks never ran: a handful of rows, however many versions exist.
            models.Index(
                fields=["uploaded_at"], name="documentversion_unchecked", condition=Q(checked_at=None)
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def kind_label(self):
        return kind_label(self.kind)

    @property
    def checks_pending(self):
        """The automatic checks have not run yet and are expected any moment (the checklist polls)."""
        from .findings import CHECK_WAIT

        return self.checked_at is None and self.uploaded_at > timezone.now() - CHECK_WAIT


class HeldUpload(models.Model):
    """A file that passed the content checks in a request form that failed for another reason.

    Browsers drop chosen files when a form comes back with an error; the portal keeps them here, its owner's
    only, until the form is saved (they become the draft's DocumentVersions) or they expire (held.py).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)
    file = models.FileField(_("file"), max_length=200)
    original_name = models.CharField(_("original name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=60)
    created_at = models.DateTimeField(_("held at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("held upload")
        verbose_name_plural = _("held uploads")
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self):
        return self.original_name


from .findings import DocumentFinding  # noqa: E402,F401  (the checks and their model live together)
from .flow_models import Breach, FlowStudiesRequest, FlowStudy  # noqa: E402,F401  (SPEC §15, §9)
from .guarantee import Guarantee  # noqa: E402,F401  (the model lives in its own module)
from .reasons import CaseReason, DecisionReason  # noqa: E402,F401  (the reasons catalogue, SPEC §15)
