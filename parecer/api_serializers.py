"""What stage 3's endpoints show and take (parecer/api.py): the parecer's facts as the case page's panel shows
them (templates/parecer/_case_panel.html), the inspection's schedule and result, and the Vistoria form."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gdportal.cases.choices import CaseState
from gdportal.registry.models import Phases, Voltage

from .models import Inspection, InspectionPeriod, InspectionResult, Parecer, TariffGroup
from .services import inspection_blockers, is_holder
from .services_inspection import may_request_inspection

# Where the Vistoria page lists a case with what stands in its way (parecer/views.py INSPECTION_LIST_STATES).
BLOCKER_STATES = (CaseState.PARECER_ISSUED, CaseState.PARECER_ACCEPTED, CaseState.INSPECTION_FAILED)

ACCEPTANCE = [
    ("awaiting", _("Awaiting the holder's acceptance")),
    ("accepted", _("Accepted by the holder")),
    ("accepted_tacitly", _("Accepted tacitly (no answer within 10 business days)")),
    ("not_accepted", _("Not accepted while it was in force")),
    ("not_applicable", _("Unfavourable: nothing to accept")),
]
PAYMENT = [
    ("not_applicable", _("No financial participation")),
    ("pending", _("Payment not recorded yet: the inspection waits for it")),
    ("paid", _("Paid")),
]
WORKS = [
    ("not_needed", _("No grid works")),
    ("pending", _("Pending: Cemig carries them out, and the validity stands still meanwhile")),
    ("done", _("Completed")),
]
INSPECTION_STATUS = [
    ("awaiting_schedule", _("Requested; Cemig will schedule the visit")),
    ("scheduled", _("Visit scheduled")),
    ("visited", _("Visited; the result follows")),
    ("passed", _("Passed: plant connected")),
    ("failed", _("Failed: fix the pending items and ask again")),
]


def acceptance_of(parecer, case):
    if not parecer.favourable:
        return "not_applicable"
    if parecer.accepted_at:
        return "accepted_tacitly" if parecer.accepted_tacitly else "accepted"
    return "awaiting" if case.state == CaseState.PARECER_ISSUED else "not_accepted"


class ParecerSerializer(serializers.ModelSerializer):
    # Read only. `context`: the request (whose user decides can_accept and the blockers) and the case.

    case_id = serializers.IntegerField(read_only=True)
    protocol = serializers.SerializerMethodField(help_text=_("The case's 13-digit protocol."))
    case_state = serializers.SerializerMethodField()
    voltage = serializers.ChoiceField(choices=Voltage.choices, read_only=True)
    phases = serializers.ChoiceField(choices=Phases.choices, read_only=True)
    tariff_group = serializers.ChoiceField(choices=TariffGroup.choices, read_only=True)
    verification_code = serializers.CharField(
        read_only=True, help_text=_("Anyone may check it at /verificar/ (nothing personal is shown there).")
    )
    verification_url = serializers.SerializerMethodField()
    acceptance = serializers.SerializerMethodField()
    can_accept = serializers.SerializerMethodField(
        help_text=_("True when you (the holder) may accept it now: POST …/parecer/accept/.")
    )
    payment = serializers.SerializerMethodField()
    works = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField(
        help_text=_("The PDF (application/pdf), null before it exists.")
    )
    pdf_sha256 = serializers.SerializerMethodField()
    may_request_inspection = serializers.SerializerMethodField(
        help_text=_("True when you may request the inspection now: POST …/inspection-request/.")
    )
    inspection_blockers = serializers.SerializerMethodField(
        help_text=_(
            "Why the inspection cannot be requested yet, in the customer's words (empty when it can)."
        )
    )

    class Meta:
        model = Parecer
        fields = ["case_id", "protocol", "case_state", "favourable", "unfavourable_reason", "issued_at"]
        fields += ["valid_until", "verification_code", "verification_url", "acceptance", "accepted_at"]
        fields += ["can_accept", "voltage", "phases", "tariff_group", "connection_point", "metering"]
        fields += ["protection", "customer_works", "works_needed", "works_description", "works_deadline_days"]
        fields += ["works", "works_done_at", "financial_participation", "payment", "paid_at"]
        fields += ["pdf_url", "pdf_sha256", "may_request_inspection", "inspection_blockers"]
        read_only_fields = fields

    def _case(self, parecer):
        return self.context.get("case") or parecer.case

    def _user(self):
        return self.context["request"].user

    def get_protocol(self, parecer) -> str:
        return self._case(parecer).protocol

    @extend_schema_field(serializers.ChoiceField(choices=CaseState.choices))
    def get_case_state(self, parecer):
        return self._case(parecer).state

    def get_verification_url(self, parecer) -> str:
        return settings.GDPORTAL_BASE_URL + reverse("verify:code", args=[parecer.verification_code])

    @extend_schema_field(serializers.ChoiceField(choices=ACCEPTANCE))
    def get_acceptance(self, parecer):
        return acceptance_of(parecer, self._case(parecer))

    def get_can_accept(self, parecer) -> bool:
        case = self._case(parecer)
        return is_holder(self._user(), case) and case.state == CaseState.PARECER_ISSUED

    @extend_schema_field(serializers.ChoiceField(choices=PAYMENT))
    def get_payment(self, parecer):
        if not parecer.has_financial_participation:
            return "not_applicable"
        return "pending" if parecer.payment_pending else "paid"

    @extend_schema_field(serializers.ChoiceField(choices=WORKS))
    def get_works(self, parecer):
        if not parecer.works_needed:
            return "not_needed"
        return "pending" if parecer.works_pending else "done"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_pdf_url(self, parecer):
        if not parecer.document_id:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("api-parecer-pdf", kwargs={"id": parecer.case_id})
        )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_pdf_sha256(self, parecer):
        return parecer.document.sha256 if parecer.document_id else None

    def _may_ask(self, parecer):
        case = self._case(parecer)
        return case.state in BLOCKER_STATES and may_request_inspection(case, self._user())

    def get_may_request_inspection(self, parecer) -> bool:
        return self._may_ask(parecer) and not self._blockers(parecer)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_inspection_blockers(self, parecer):
        return [str(reason) for reason in self._blockers(parecer)]

    def _blockers(self, parecer):
        # Two rows read by the rule, once per answer (both fields need them).
        if not hasattr(self, "_blocker_cache"):
            self._blocker_cache = inspection_blockers(self._case(parecer)) if self._may_ask(parecer) else []
        return self._blocker_cache


def inspection_status(inspection):
    if inspection.result:
        return inspection.result
    if inspection.visited_on:
        return "visited"
    return "scheduled" if inspection.scheduled_for else "awaiting_schedule"


class InspectionSerializer(serializers.ModelSerializer):
    # The current inspection as the case page shows it: when, and what the inspector found.

    case_id = serializers.IntegerField(read_only=True)
    status = serializers.SerializerMethodField()
    period = serializers.SerializerMethodField(help_text=_("Morning (8h–12h) or afternoon (13h–18h)."))
    period_label = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField(help_text=_("passed or failed; null while awaited."))
    meter_number = serializers.SerializerMethodField(help_text=_("The bidirectional meter installed."))
    report_items = serializers.SerializerMethodField(help_text=_("The pending items of a failed inspection."))
    attached_copy = serializers.SerializerMethodField(
        help_text=_("The file name of the copy of the access opinion attached, if any.")
    )

    class Meta:
        model = Inspection
        fields = ["id", "case_id", "requested_at", "status", "scheduled_for", "period", "period_label"]
        fields += ["visited_on", "result", "meter_number", "connected_on", "report_items", "decided_at"]
        fields += ["attached_copy"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=INSPECTION_STATUS))
    def get_status(self, inspection):
        return inspection_status(inspection)

    @extend_schema_field(serializers.ChoiceField(choices=InspectionPeriod.choices, allow_null=True))
    def get_period(self, inspection):
        return inspection.period or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_period_label(self, inspection):
        return inspection.get_period_display() if inspection.period else None

    @extend_schema_field(serializers.ChoiceField(choices=InspectionResult.choices, allow_null=True))
    def get_result(self, inspection):
        return inspection.result or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_meter_number(self, inspection):
        return inspection.meter_number or None

    def get_report_items(self, inspection) -> list[str]:
        return inspection.report_items

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_attached_copy(self, inspection):
        return inspection.attachment.original_name if inspection.attachment_id else None


class InspectionRequestSerializer(serializers.Serializer):
    # The seed's Vistoria form (parecer/forms.py InspectionForm, which judges the values after this, with the
    # page's messages). Without `copy`, the parecer Cemig issued is the one attached.

    holder_name = serializers.CharField(max_length=200, help_text=_("Holder"))
    document = serializers.RegexField(
        r"^[0-9A-Za-z./ -]{11,18}$",
        max_length=18,
        help_text=_("The holder's CPF or CNPJ, with or without the mask: the one of this request."),
    )
    street = serializers.CharField(max_length=200)
    cep = serializers.RegexField(r"^[0-9]{5}-?[0-9]{3}$", max_length=9, help_text=_("CEP, e.g. 30160-011."))
    street_number = serializers.CharField(max_length=20)
    complement = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    district = serializers.CharField(max_length=100)
    municipality = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    phone = serializers.RegexField(
        r"^[0-9()+ .-]{10,20}$", max_length=20, help_text=_("With the area code, e.g. (31) 98888-7777.")
    )
    mobile = serializers.RegexField(
        r"^[0-9()+ .-]{10,20}$", max_length=20, required=False, allow_blank=True, default=""
    )
    declaration = serializers.BooleanField(
        help_text=_(
            "I declare that I know the documentation required to handle the request and that the other "
            "information given is true."
        )
    )
    copy = serializers.FileField(
        required=False,
        allow_empty_file=True,  # an empty or over-the-limit file gets the page's own message, from the form
        help_text=_("Optional: another copy of the access opinion, PDF up to 3 MB."),
    )

    def form_data(self):
        """The validated values as the page's form receives them (the checkbox as a ticked box)."""
        data = {k: v for k, v in self.validated_data.items() if k not in ("copy", "declaration")}
        data["declaration"] = "on" if self.validated_data["declaration"] else ""
        files = {"copy": self.validated_data["copy"]} if self.validated_data.get("copy") else {}
        return data, files
