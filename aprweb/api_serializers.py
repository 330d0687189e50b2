"""What stage 2's endpoints take and give (SPEC §14): the order of SPEC §5.2 and its checklist (§5.3)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gdportal.api.serializers_cases import DocumentSerializer
from gdportal.api.strict import DateString, DecimalString, StrictBooleanField, StrictCharField
from gdportal.cases.choices import CaseState, Verdict
from gdportal.registry.models import InstallationClass

from .documents import KINDS
from .models import AprOrder, OrderRequestType, PlantFormat, ProjectType
from .rules import ORDER_STATES, UPLOAD_STATES
from .selectors import checklist, current_order

KIND_CHOICES = [(kind, label) for kind, label in KINDS]


def text(max_length, required=False, **kwargs):
    return StrictCharField(max_length=max_length, required=required, **kwargs)


class OrderInputSerializer(serializers.Serializer):
    """'Cadastro de pedido': the case found by protocol and the holder's CPF/CNPJ, then the order's fields.
    Fields left out take what the page fills in from the case (address, phone, class, demand, project
    type)."""

    protocol = StrictCharField(
        pattern=r"^[0-9]{13}$", pattern_message=_("The protocol has 13 digits."), help_text="2026000000123"
    )
    document = text(18, required=True, help_text=_("The holder's CPF/CNPJ, with or without punctuation."))
    person_type = serializers.ChoiceField(
        choices=[("PF", _("Individual (física)")), ("PJ", _("Company (jurídica)"))],
        required=False,
        help_text=_("Taken from the document's length when left out."),
    )
    claim_code = StrictCharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text=_("Only for a request the customer filed: the code on the customer's protocol receipt."),
    )
    request_type = serializers.ChoiceField(choices=OrderRequestType.choices, required=False)
    phone = text(20)
    project_type = serializers.ChoiceField(choices=ProjectType.choices, required=False)
    art_number = text(30, required=True)
    demand_kva = DecimalString(digits=7, places=2, required=False, help_text=_('Demand in kVA, e.g. "8.5".'))
    activity_type = serializers.ChoiceField(choices=InstallationClass.choices, required=False)
    expected_connection = DateString(help_text=_("Not in the past."))
    plant_format = serializers.ChoiceField(choices=PlantFormat.choices)
    street = text(200)
    street_number = text(20)
    district = text(100)
    cep = StrictCharField(
        pattern=r"^[0-9]{5}-?[0-9]{3}$", pattern_message=_("A CEP has 8 digits."), required=False
    )
    municipality = text(100)
    reference_point = text(200, allow_blank=True)
    uses_collective_roof = StrictBooleanField(required=False)
    has_power_converters = StrictBooleanField(required=False)
    pv_with_storage = StrictBooleanField(required=False)


class OrderUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=KIND_CHOICES, help_text=_("One of the kinds the order's checklist asks for.")
    )
    file = serializers.FileField(
        allow_empty_file=True, help_text=_("PDF or ZIP, up to 3 MB; checked by content.")
    )


class ChecklistRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    label = serializers.CharField()
    present = serializers.BooleanField(help_text=_("A version was sent."))
    missing = serializers.BooleanField()
    conforming = serializers.BooleanField(help_text=_("The analyst judged the latest version conforming."))
    pending = serializers.BooleanField(
        help_text=_("The latest version was judged not conforming: send a new one.")
    )
    verdict = serializers.ChoiceField(choices=Verdict.choices, allow_blank=True)
    verdict_note = serializers.CharField(allow_blank=True)
    latest = DocumentSerializer(allow_null=True)
    older_versions = serializers.IntegerField(help_text=_("Earlier versions kept (the page's “Histórico”)."))


class ChecklistSerializer(serializers.Serializer):
    rows = ChecklistRowSerializer(many=True)
    missing = serializers.ListField(child=serializers.ChoiceField(choices=KIND_CHOICES))
    pending = serializers.ListField(child=serializers.ChoiceField(choices=KIND_CHOICES))
    complete = serializers.BooleanField(help_text=_("Nothing missing and no pending item: it may be sent."))
    is_current = serializers.BooleanField(help_text=_("The order of the case's current round."))
    can_upload = serializers.BooleanField()
    can_submit = serializers.BooleanField()


def checklist_data(order):
    """The order page's checklist (views._order_context), as data."""
    case = order.case
    rows = checklist(case, order)
    latest_order = current_order(case)
    missing = [row.kind for row in rows if row.missing]
    pending = [row.kind for row in rows if row.pending]
    return {
        "rows": [
            {
                "kind": row.kind,
                "label": str(row.label),
                "present": not row.missing,
                "missing": row.missing,
                "conforming": row.conforming,
                "pending": row.pending,
                "verdict": row.latest.verdict if row.latest else "",
                "verdict_note": row.latest.verdict_note if row.latest else "",
                "latest": row.latest,
                "older_versions": len(row.history),
            }
            for row in rows
        ],
        "missing": missing,
        "pending": pending,
        "complete": not missing and not pending,
        "is_current": latest_order is not None and latest_order.pk == order.pk,
        "can_upload": case.state in UPLOAD_STATES,
        "can_submit": case.state in ORDER_STATES,
    }


class OrderSerializer(serializers.ModelSerializer):
    situation = serializers.ChoiceField(choices=CaseState.choices, read_only=True)
    case_state = serializers.ChoiceField(
        source="case.state", choices=CaseState.choices, read_only=True, help_text=_("The case's state now.")
    )

    class Meta:
        model = AprOrder
        fields = ["id", "case", "case_state", "protocol", "ns", "ns_date", "customer_name", "customer_number"]
        fields += ["installation_number", "regional", "situation", "request_type", "phone", "project_type"]
        fields += ["art_number", "demand_kva", "activity_type", "expected_connection", "plant_format"]
        fields += ["street", "street_number", "district", "cep", "municipality", "reference_point"]
        fields += ["uses_collective_roof", "has_power_converters", "pv_with_storage", "round"]
        fields += ["registered_at", "submitted_at", "answered_at", "observation", "due_at", "due_kind"]
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    checklist = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = OrderSerializer.Meta.fields + ["checklist"]
        read_only_fields = fields

    @extend_schema_field(ChecklistSerializer)
    def get_checklist(self, order):
        return ChecklistSerializer(checklist_data(order)).data
