"""What stage 4's endpoints show (compensation/api.py): the titular's generating units with their
registrations of receiving units (as /atende/gd/compensacao/ shows them), and a unit's statement with the
columns of `compensation_statement` (SPEC §12), numbers as decimal strings with a dot and 2 places."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gdportal.cases.choices import Modality, Source
from gdportal.formfields import PhoneField
from gdportal.registry.models import Voltage

from .allocation_rules import RowInput, is_fast_track
from .forms_allocation import MAX_ROWS
from .models import AllocationMode, AllocationStatus, GdClass, Generator, LegalForm, UnitType
from .views_allocation import in_force

CYCLE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
INSTALLATION_PATTERN = r"^[0-9]{10}$"


def cycle_text(day):
    return f"{day:%Y-%m}" if day else None


class CycleField(serializers.CharField):
    """A billing cycle, aaaa-mm (stored as the first day of its month)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return cycle_text(value)


class AllocationRowSerializer(serializers.Serializer):
    installation = serializers.CharField(source="installation.number", read_only=True)
    percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True, allow_null=True, help_text=_("Percentage mode.")
    )
    priority = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("Priority mode."))
    takes_remainder = serializers.SerializerMethodField(
        help_text=_("Priority mode: the unit named to take what is left.")
    )

    def get_takes_remainder(self, row) -> bool:
        remainder = row.allocation_set.remainder_to_id
        return remainder is not None and remainder == row.installation_id


class AllocationSetSerializer(serializers.Serializer):
    # A registration of receiving units and, once accepted, an allocation with its first and last cycle.

    id = serializers.IntegerField(read_only=True)
    mode = serializers.ChoiceField(choices=AllocationMode.choices, read_only=True)
    status = serializers.ChoiceField(choices=AllocationStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    in_force = serializers.SerializerMethodField(help_text=_("In force in the current cycle."))
    never_in_force = serializers.SerializerMethodField(
        help_text=_("Accepted, but replaced before taking effect.")
    )
    unit_type = serializers.SerializerMethodField()
    legal_form = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField(read_only=True)
    imported = serializers.BooleanField(read_only=True, help_text=_("Registered by Cemig (import)."))
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    refusal_reason = serializers.CharField(read_only=True)
    first_cycle = CycleField(help_text=_("First cycle in force (aaaa-mm), once accepted."))
    last_cycle = CycleField(help_text=_("Last cycle in force (aaaa-mm); null while it is the current one."))
    has_legal_instrument = serializers.SerializerMethodField()
    rows = AllocationRowSerializer(many=True, read_only=True)

    def get_in_force(self, allocation_set) -> bool:
        return in_force(allocation_set, self.context["cycle"])

    def get_never_in_force(self, allocation_set) -> bool:
        first, last = allocation_set.first_cycle, allocation_set.last_cycle
        return first is not None and last is not None and last < first

    @extend_schema_field(serializers.ChoiceField(choices=UnitType.choices, allow_null=True))
    def get_unit_type(self, allocation_set):
        return allocation_set.unit_type or None

    @extend_schema_field(serializers.ChoiceField(choices=LegalForm.choices, allow_null=True))
    def get_legal_form(self, allocation_set):
        return allocation_set.legal_form or None

    def get_has_legal_instrument(self, allocation_set) -> bool:
        return bool(allocation_set.legal_instrument)


class ReceivingUnitsSerializer(serializers.ModelSerializer):
    # A generating unit of the titular with the allocation in force, the registration awaiting analysis and
    # every registration ever filed (newest first). `history` is prefetched by the view.

    installation = serializers.CharField(source="installation.number", read_only=True)
    source = serializers.ChoiceField(choices=Source.choices, read_only=True)
    modality = serializers.ChoiceField(choices=Modality.choices, read_only=True)
    gd_class = serializers.ChoiceField(choices=GdClass.choices, read_only=True)
    may_send_credits = serializers.SerializerMethodField(
        help_text=_(
            "False for local self-consumption up to 7.5 kW connected without the flow-inversion study "
            "(REN 1.000 art. 73-A §2 II): its surplus stays at the unit."
        )
    )
    in_force = serializers.SerializerMethodField(help_text=_("The allocation in force now; null for none."))
    pending = serializers.SerializerMethodField(help_text=_("The registration awaiting Cemig's analysis."))
    registrations = serializers.SerializerMethodField()

    class Meta:
        model = Generator
        fields = ["installation", "power_kw", "source", "modality", "connected_on", "gd_class"]
        fields += ["may_send_credits", "in_force", "pending", "registrations"]
        read_only_fields = fields

    def get_may_send_credits(self, generator) -> bool:
        return not is_fast_track(generator)

    def _one(self, allocation_set):
        if allocation_set is None:
            return None
        return AllocationSetSerializer(allocation_set, context=self.context).data

    @extend_schema_field(AllocationSetSerializer(allow_null=True))
    def get_in_force(self, generator):
        cycle = self.context["cycle"]
        return self._one(next((s for s in generator.history if in_force(s, cycle)), None))

    @extend_schema_field(AllocationSetSerializer(allow_null=True))
    def get_pending(self, generator):
        return self._one(next((s for s in generator.history if s.status == AllocationStatus.PENDING), None))

    @extend_schema_field(AllocationSetSerializer(many=True))
    def get_registrations(self, generator):
        return AllocationSetSerializer(generator.history, many=True, context=self.context).data


def kwh_field(**kwargs):
    return serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, **kwargs)


class StatementRowSerializer(serializers.Serializer):
    # One cycle: the columns of `compensation_statement` (SPEC §12), in its order.

    cycle = serializers.CharField(read_only=True, help_text=_("aaaa-mm"))
    consumed_kwh = kwh_field()
    injected_kwh = kwh_field()
    compensated_kwh = kwh_field(
        help_text=_("From the cycle's injection, from credits received and from lots.")
    )
    received_kwh = kwh_field(help_text=_("What arrived from generating units in the cycle."))
    credits_created_kwh = kwh_field()
    credits_used_kwh = kwh_field()
    credits_expired_kwh = kwh_field()
    credits_transferred_kwh = kwh_field(help_text=_("Moved out of the unit (contract end)."))
    balance_kwh = kwh_field()
    energy_parcel_brl = kwh_field(help_text=_("The energy parcel of the bill, R$."))
    parcel_without_gd_brl = kwh_field(help_text=_("The same parcel without the distributed generation, R$."))


class OpenLotSerializer(serializers.Serializer):
    origin_cycle = CycleField(allow_null=False)
    gd_class = serializers.CharField(read_only=True, help_text=_("GD I, GD II or GD III."))
    remaining_kwh = kwh_field()
    expires_on = serializers.DateField(read_only=True, help_text=_("Written off at the end of this day."))


class StatementSerializer(serializers.Serializer):
    installation = serializers.CharField(read_only=True)
    from_cycle = CycleField(help_text=_("The period's first cycle, as asked (null: from the first)."))
    to_cycle = CycleField(help_text=_("The period's last cycle, as asked (null: up to the last)."))
    rows = StatementRowSerializer(many=True, read_only=True)
    balance_kwh = kwh_field(help_text=_("What the unit holds now: the sum of its open credit lots."))
    lots = OpenLotSerializer(many=True, read_only=True, help_text=_("Open credit lots, oldest first."))


# --- filing a registration (the seed's "Cadastramento de UC recebedora", as JSON) ---------------------------


class StrictStringMixin:
    """JSON strings only: DRF would take the number 123 for "123", which the schema forbids."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(StrictStringMixin, serializers.CharField):
    pass


class StrictRegexField(StrictStringMixin, serializers.RegexField):
    pass


class StrictEmailField(StrictStringMixin, serializers.EmailField):
    pass


class StrictIntegerField(serializers.IntegerField):
    """JSON integers only (not "2", not true)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


PERCENT_PATTERN = r"^[0-9]{1,3}([.,][0-9]{1,2})?$"
PHONE_PATTERN = r"^[0-9()+ .-]{10,20}$"


class RegistrationRowSerializer(serializers.Serializer):
    # One row of "Relação de instalações": the percentage in percentage mode, the position in priority mode
    # (without it, the row's place in the list).

    installation = StrictRegexField(INSTALLATION_PATTERN, help_text=_("Installation number (10 digits)."))
    percent = StrictRegexField(
        PERCENT_PATTERN,
        required=False,
        allow_null=True,
        help_text=_('Percentage of the surplus, up to 2 decimals, comma or dot: "60", "33,33".'),
    )
    priority = StrictIntegerField(min_value=1, max_value=50, required=False, allow_null=True)


class RegistrationRequestSerializer(serializers.Serializer):
    # The page's form (compensation/forms_allocation.py); compensation.services.allocation_request judges
    # every rule of SPEC §7.1 and its messages come back at `rows.<n>.<field>` or at the field.

    unit_type = serializers.ChoiceField(choices=UnitType.choices)
    voltage = serializers.ChoiceField(choices=Voltage.choices, help_text=_("Customer connected at."))
    contact_name = StrictCharField(max_length=200)
    contact_phone = StrictRegexField(PHONE_PATTERN, max_length=20)
    contact_mobile = StrictRegexField(PHONE_PATTERN, max_length=20, required=False, allow_blank=True)
    contact_email = StrictEmailField(max_length=254)
    mode = serializers.ChoiceField(choices=AllocationMode.choices)
    remainder_to = StrictRegexField(
        INSTALLATION_PATTERN,
        required=False,
        allow_null=True,
        help_text=_(
            "Priority mode: the listed unit that takes what is left (else the one that consumed most)."
        ),
    )
    legal_form = serializers.ChoiceField(choices=LegalForm.choices, required=False, allow_null=True)
    rows = serializers.ListField(child=RegistrationRowSerializer(), min_length=1, max_length=MAX_ROWS)

    def _phone(self, value):
        if not value:
            return ""
        try:
            return PhoneField().clean(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_contact_phone(self, value):
        return self._phone(value)

    def validate_contact_mobile(self, value):
        return self._phone(value)

    def service_arguments(self):
        data = self.validated_data
        rows = [
            RowInput(
                installation=row["installation"],
                percent=Decimal(row["percent"].replace(",", ".")) if row.get("percent") else None,
                priority=row.get("priority"),
                line=line,
            )
            for line, row in enumerate(data["rows"], start=1)
        ]
        return {
            "unit_type": data["unit_type"],
            "voltage": data["voltage"],
            "contact_name": data["contact_name"],
            "contact_phone": data["contact_phone"],
            "contact_mobile": data.get("contact_mobile") or "",
            "contact_email": data["contact_email"],
            "mode": data["mode"],
            "remainder_to": data.get("remainder_to") or None,
            "legal_form": data.get("legal_form") or "",
            "rows": rows,
        }
