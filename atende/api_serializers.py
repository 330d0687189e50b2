"""What stage 1's endpoints take and give (SPEC §14): the §4.2 fields, exactly as the schema says; the pages'
forms judge them afterwards (atende/api.py), so a refusal reads as it does on the page."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gdportal.api.serializers_cases import CaseDetailSerializer, DocumentSerializer
from gdportal.api.strict import DecimalString, StrictBooleanField, StrictCharField
from gdportal.brdocs import mask_name
from gdportal.cases.choices import (
    CaseKind,
    CaseState,
    DocumentKind,
    GfcBank,
    GfcForm,
    Modality,
    Reason,
    RequestType,
    Source,
)
from gdportal.cases.documents import latest_versions
from gdportal.cases.models import Case
from gdportal.registry.models import InstallationClass, InstallationStatus, PersonType, Voltage

from .services import missing_identity_documents

TEN_DIGITS = r"^[0-9]{10}$"
TEN_DIGITS_MESSAGE = _("Use the 10 digits, without dots or spaces.")


def ten_digits(help_text):
    return StrictCharField(
        required=False, pattern=TEN_DIGITS, pattern_message=TEN_DIGITS_MESSAGE, help_text=help_text
    )


def text(max_length, required=True, **kwargs):
    return StrictCharField(max_length=max_length, required=required, allow_blank=not required, **kwargs)


class ConsultationInputSerializer(serializers.Serializer):
    """The §4.3 fields (the §4.2 ones without guarantee and declaration). The holder's name and CPF/CNPJ are
    the registry's and never sent."""

    installation = ten_digits(_("Installation number (10 digits). Leave out for a unit without one."))
    customer = ten_digits(
        _("Client number (10 digits): a new consumer unit, or a consultation without an installation.")
    )
    reason = serializers.ChoiceField(choices=Reason.choices)
    installation_class = serializers.ChoiceField(choices=InstallationClass.choices)
    cep = StrictCharField(
        pattern=r"^[0-9]{5}-?[0-9]{3}$", pattern_message=_("A CEP has 8 digits."), help_text="30160-011"
    )
    street = text(200)
    street_number = text(20)
    complement = text(100, required=False)
    district = text(100)
    municipality = text(100)
    uf = serializers.ChoiceField(
        choices=[("MG", "MG")], required=False, help_text=_("Cemig's concession: Minas Gerais (MG).")
    )
    phone = text(20, help_text="(31) 98888-7777")
    mobile = text(20, required=False)
    email = text(254)
    latitude = DecimalString(digits=3, places=6, signed=True, help_text="-19.9167")
    longitude = DecimalString(digits=3, places=6, signed=True, help_text="-43.9345")
    power_kw = DecimalString(digits=7, places=2, help_text=_('Installed power in kW, e.g. "8.5".'))
    source = serializers.ChoiceField(choices=Source.choices)
    request_type = serializers.ChoiceField(choices=RequestType.choices)
    modality = serializers.ChoiceField(choices=Modality.choices)
    requester_name = text(200)
    requester_phone = text(20)
    requester_email = text(254)
    other_info = StrictCharField(required=False, allow_blank=True)

    def validate(self, data):
        if self.partial:
            return data
        if not data.get("installation") and not data.get("customer"):
            raise serializers.ValidationError(
                {
                    "installation": [
                        _("Give the installation number, or the client number for a unit without one.")
                    ]
                }
            )
        return data


class AccessRequestInputSerializer(ConsultationInputSerializer):
    gfc_form = serializers.ChoiceField(
        choices=GfcForm.choices,
        required=False,
        allow_blank=True,
        help_text=_("Required for minigeneration above 500 kW (SPEC §6.5)."),
    )
    gfc_bank = serializers.ChoiceField(choices=GfcBank.choices, required=False, allow_blank=True)
    declaration = StrictBooleanField(
        help_text=_(
            "I declare that I know the documentation required for the request and that the information "
            "given is true."
        )
    )
    # SPEC §15: the same override and art. 73-A choices as the page, judged by the page's form.
    coordinates_confirmed = StrictBooleanField(
        required=False,
        help_text=_(
            "True to keep coordinates farther than the limit from the UC's registered address; give "
            "coordinates_reason."
        ),
    )
    coordinates_reason = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text=_("Why the coordinates are right (at least 20 characters), when coordinates_confirmed."),
    )
    fast_track_term = StrictBooleanField(
        required=False,
        help_text=_(
            "Local self-consumption up to 7.5 kW: the holder accepts that the surplus is not allocated to "
            "other units; the request is dispensed from the flow-inversion analysis (art. 73-A)."
        ),
    )
    grid_zero = StrictBooleanField(
        required=False,
        help_text=_("The system does not inject into the grid (grid zero): dispensed (art. 73-A)."),
    )


class DraftPatchMixin:
    """PATCH: the draft's number and holder stay; only the fields are changed."""

    def get_fields(self):
        fields = super().get_fields()
        fields.pop("installation", None)
        fields.pop("customer", None)
        return fields


class ConsultationPatchSerializer(DraftPatchMixin, ConsultationInputSerializer):
    pass


class AccessRequestPatchSerializer(DraftPatchMixin, AccessRequestInputSerializer):
    pass


def sees_all(serializer):
    return serializer.context.get("full_view", True)


class ConsultationSerializer(serializers.ModelSerializer):
    """A draft as its filer sees it on the "check your answers" page."""

    kind = serializers.ChoiceField(choices=CaseKind.choices, read_only=True)
    state = serializers.ChoiceField(choices=CaseState.choices, read_only=True)
    installation = serializers.SerializerMethodField(help_text=_("Installation number (10 digits)."))
    customer = serializers.SerializerMethodField(help_text=_("Client number (10 digits)."))
    holder_name = serializers.SerializerMethodField(
        help_text=_("From the registry; masked for an RT who does not serve the customer yet.")
    )
    document = serializers.SerializerMethodField(help_text=_("The holder's CPF/CNPJ, masked."))
    documents = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField(
        help_text=_("What must still be attached before sending.")
    )

    class Meta:
        model = Case
        fields = ["id", "kind", "state", "installation", "customer", "holder_name", "document"]
        fields += ["reason", "installation_class", "cep", "street", "street_number", "complement", "district"]
        fields += ["municipality", "uf", "phone", "mobile", "email", "latitude", "longitude", "power_kw"]
        fields += ["source", "request_type", "modality", "requester_name", "requester_phone"]
        fields += ["requester_email", "other_info", "documents", "missing_documents", "created_at"]
        fields += ["updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_installation(self, case):
        return case.installation.number if case.installation_id else None

    def get_customer(self, case) -> str:
        return case.customer.number

    def get_holder_name(self, case) -> str:
        return case.holder_name if sees_all(self) else mask_name(case.holder_name)

    def get_document(self, case) -> str:
        return case.document_masked

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, case):
        return DocumentSerializer(latest_versions(case).values(), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=DocumentKind.choices)))
    def get_missing_documents(self, case):
        missing = list(missing_identity_documents(case))
        if case.gfc_form and DocumentKind.GFC_PROOF not in latest_versions(case):
            missing.append(DocumentKind.GFC_PROOF)
        return missing


class AccessRequestSerializer(ConsultationSerializer):
    gfc_form = serializers.ChoiceField(choices=GfcForm.choices, allow_blank=True, read_only=True)
    gfc_bank = serializers.ChoiceField(choices=GfcBank.choices, allow_blank=True, read_only=True)

    class Meta(ConsultationSerializer.Meta):
        fields = ConsultationSerializer.Meta.fields + ["gfc_form", "gfc_bank", "gfc_amount", "declaration"]
        fields += ["coordinates_distance_m", "coordinates_confirmed", "coordinates_reason"]
        fields += ["fast_track_term", "grid_zero", "flow_dispensation"]
        read_only_fields = fields


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=DocumentKind.choices,
        help_text=_(
            "Individuals: identity. Companies: cnpj_card, articles, representative_id. "
            "gfc_proof when the request needs a guarantee."
        ),
    )
    file = serializers.FileField(help_text=_("PDF, JPG or PNG, up to 3 MB; checked by content."))


class MaskedCaseSerializer(CaseDetailSerializer):
    """The kernel's case, with the holder's name masked for an RT who does not serve the customer yet."""

    def to_representation(self, case):
        data = super().to_representation(case)
        if not sees_all(self):
            data["holder_name"] = mask_name(data["holder_name"])
        return data


class SubmittedSerializer(serializers.Serializer):
    protocol = serializers.CharField(help_text=_("The 13-digit protocol."))
    already_sent = serializers.BooleanField(
        help_text=_("True when the draft had been sent before: the answer repeats that protocol.")
    )
    case = MaskedCaseSerializer()


class CancelSerializer(serializers.Serializer):
    reason = StrictCharField(required=False, allow_blank=True, max_length=2000)


# --- Installation lookup ---------------------------------------------------------------------------------
class FoundCustomerSerializer(serializers.Serializer):
    number = serializers.CharField(help_text=_("Client number (10 digits)."))
    name = serializers.CharField(help_text=_("Masked for an RT who does not serve the customer yet."))
    document = serializers.CharField(
        help_text=_("CPF/CNPJ, masked for an RT who does not serve the customer.")
    )
    person_type = serializers.ChoiceField(choices=PersonType.choices)
    masked = serializers.BooleanField(help_text=_("Whether personal data are masked for you."))


class OpenRequestSerializer(serializers.Serializer):
    protocol = serializers.CharField(
        allow_null=True, help_text=_("Its protocol, when you may follow it; null otherwise.")
    )
    case_id = serializers.IntegerField(allow_null=True)


class FoundInstallationSerializer(serializers.Serializer):
    number = serializers.CharField(help_text=_("Installation number (10 digits)."))
    status = serializers.ChoiceField(choices=InstallationStatus.choices)
    voltage = serializers.ChoiceField(choices=Voltage.choices)
    installation_class = serializers.ChoiceField(choices=InstallationClass.choices)
    municipality = serializers.CharField()
    state = serializers.CharField()
    address = serializers.CharField(allow_null=True, help_text=_("Null when personal data are masked."))
    customer = FoundCustomerSerializer()
    open_request = OpenRequestSerializer(
        allow_null=True, help_text=_("The access request under way for it (one at a time), if any.")
    )


class LookupResultSerializer(serializers.Serializer):
    installations = FoundInstallationSerializer(many=True)
    customers = FoundCustomerSerializer(
        many=True, help_text=_("The customers found: a new unit or a consultation is filed by client number.")
    )
