"""The order's "Dados técnicos da geração" under /api/v1/orders/{id}/generation/ (SPEC §14, §16).

The same data as the order's page, saved by the same service (services_generation) and judged by the same
kernel rules: a rule broken by a row is reported at "<group>.<index>.<field>", e.g. "inverters.0.power_kw".
Decimals travel as strings ("8.5" or "8,5"), as everywhere in /api/v1/.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from gdportal.api.strict import DecimalString, StrictBooleanField, StrictCharField
from gdportal.cases.choices import Verdict
from gdportal.generation.choices import BuildingType, DeclarationCode, GenerationType, UnitsMode
from gdportal.generation.models import GenerationData
from gdportal.generation.rules import data_totals, totals


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer — not "50", 50.0 or true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def text(max_length, **kwargs):
    return StrictCharField(max_length=max_length, **kwargs)


def decimal(digits, places, **kwargs):
    return DecimalString(digits=digits, places=places, **kwargs)


class ModuleInput(serializers.Serializer):
    manufacturer = text(100)
    model = text(100)
    power_w = decimal(7, 1, help_text=_('Module power in W, e.g. "550".'))
    quantity = StrictIntegerField(min_value=1)


class InverterInput(serializers.Serializer):
    manufacturer = text(100)
    model = text(100)
    power_kw = decimal(6, 3, help_text=_('AC power of one inverter in kW, e.g. "8" or "8.2".'))
    quantity = StrictIntegerField(min_value=1)
    voltage_v = StrictIntegerField(min_value=1, max_value=100000, help_text=_("Connection voltage in V."))
    inmetro = text(40, required=False, allow_blank=True, help_text=_("INMETRO registration number."))


class GeneratorInput(serializers.Serializer):
    manufacturer = text(100)
    model = text(100)
    power_kva = decimal(7, 2)
    quantity = StrictIntegerField(min_value=1)


class UnitInput(serializers.Serializer):
    installation = StrictCharField(
        pattern=r"^[0-9]{10}$", pattern_message=_("An installation number has 10 digits.")
    )
    percentage = decimal(3, 2, required=False, allow_null=True, help_text=_("With units_mode percent."))
    priority = StrictIntegerField(
        min_value=1, required=False, allow_null=True, help_text=_("With units_mode priority.")
    )


class GenerationInputSerializer(serializers.Serializer):
    """The whole step, replaced at each PUT (rows left out are removed)."""

    generation_type = serializers.ChoiceField(choices=GenerationType.choices)
    array_area_m2 = decimal(8, 2, required=False, allow_null=True)
    has_storage = StrictBooleanField(required=False)
    storage_kwh = decimal(8, 2, required=False, allow_null=True)
    storage_kw = decimal(8, 2, required=False, allow_null=True)
    storage_islanded = StrictBooleanField(required=False)
    building_type = serializers.ChoiceField(choices=BuildingType.choices)
    leased_roof = StrictBooleanField(required=False)
    lessor_installation = text(10, required=False, allow_blank=True)
    breaker_a = StrictIntegerField(min_value=1, max_value=100000, required=False, allow_null=True)
    breaker_poles = serializers.ChoiceField(choices=[1, 2, 3], required=False, allow_null=True)
    pole_under_30m = StrictBooleanField(required=False, allow_null=True)
    units_mode = serializers.ChoiceField(choices=UnitsMode.choices, required=False)
    modules = ModuleInput(many=True, required=False)
    inverters = InverterInput(many=True, required=False)
    generators = GeneratorInput(many=True, required=False)
    units = UnitInput(many=True, required=False)
    declarations = serializers.ListField(
        child=serializers.ChoiceField(choices=DeclarationCode.choices),
        required=False,
        help_text=_(
            "The codes declared: 8.4 and 8.6 are required to send the order; 8.1, 8.2, 8.3 optional."
        ),
    )


DECIMALS = {"array_area_m2", "storage_kwh", "storage_kw", "power_w", "power_kw", "power_kva", "percentage"}


def _number(value):
    return Decimal(value.replace(",", ".")) if isinstance(value, str) else value


def service_values(validated):
    """The serializer's data as the kernel's service takes it: decimals as Decimal."""
    values = {}
    for name, value in validated.items():
        if isinstance(value, list) and name != "declarations":
            values[name] = [
                {k: _number(v) if k in DECIMALS else v for k, v in dict(row).items()} for row in value
            ]
        else:
            values[name] = _number(value) if name in DECIMALS else value
    return values


class ModuleOutput(ModuleInput):
    power_w = serializers.DecimalField(max_digits=8, decimal_places=1)


class InverterOutput(InverterInput):
    power_kw = serializers.DecimalField(max_digits=9, decimal_places=3)


class GeneratorOutput(GeneratorInput):
    power_kva = serializers.DecimalField(max_digits=9, decimal_places=2)


class UnitOutput(serializers.Serializer):
    installation = serializers.CharField(source="installation_number")
    percentage = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    priority = serializers.IntegerField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True, help_text=_("When the holder confirmed it."))


class DeclarationOutput(serializers.Serializer):
    code = serializers.ChoiceField(choices=DeclarationCode.choices)
    text = serializers.CharField()
    accepted = serializers.BooleanField()
    by = serializers.CharField(help_text=_("Who declared (or withdrew) it."))
    at = serializers.DateTimeField()


class TotalsOutput(serializers.Serializer):
    modules_kwp = serializers.DecimalField(max_digits=12, decimal_places=3)
    inverters_kw = serializers.DecimalField(max_digits=12, decimal_places=3)
    generators_kva = serializers.DecimalField(max_digits=12, decimal_places=2)
    installed_kw = serializers.DecimalField(
        max_digits=12, decimal_places=3, help_text=_("Must equal the access request's power to send.")
    )


class GenerationSerializer(serializers.Serializer):
    generation_type = serializers.ChoiceField(choices=GenerationType.choices)
    array_area_m2 = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    has_storage = serializers.BooleanField()
    storage_kwh = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    storage_kw = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    storage_islanded = serializers.BooleanField()
    building_type = serializers.ChoiceField(choices=BuildingType.choices)
    leased_roof = serializers.BooleanField()
    lessor_installation = serializers.CharField(allow_blank=True)
    breaker_a = serializers.IntegerField(allow_null=True)
    breaker_poles = serializers.IntegerField(allow_null=True)
    pole_under_30m = serializers.BooleanField(allow_null=True)
    units_mode = serializers.ChoiceField(choices=UnitsMode.choices)
    modules = ModuleOutput(many=True)
    inverters = InverterOutput(many=True)
    generators = GeneratorOutput(many=True)
    units = UnitOutput(many=True)
    declarations = DeclarationOutput(many=True)
    totals = TotalsOutput()
    requested_kw = serializers.DecimalField(
        max_digits=9, decimal_places=2, help_text=_("The access request's power.")
    )
    version = serializers.IntegerField(help_text=_("0 while the step was never saved."))
    updated_at = serializers.DateTimeField(allow_null=True)
    verdict = serializers.ChoiceField(
        choices=Verdict.choices, allow_blank=True, help_text=_("The analyst's verdict on this version.")
    )
    verdict_note = serializers.CharField(allow_blank=True)


def generation_payload(case):
    data = GenerationData.objects.filter(case=case).first()
    if data is None:
        empty = GenerationData(case=case)
        payload = {name.name: getattr(empty, name.attname) for name in GenerationData._meta.concrete_fields}
        payload.update(modules=[], inverters=[], generators=[], units=[], declarations=[], updated_at=None)
        payload.update(totals=totals(empty.generation_type, [], [], []), verdict="", verdict_note="")
    else:
        payload = {name.name: getattr(data, name.attname) for name in GenerationData._meta.concrete_fields}
        payload.update(
            modules=list(data.modules.all()),
            inverters=list(data.inverters.all()),
            generators=list(data.generators.all()),
            units=list(data.units.all()),
            declarations=[
                {
                    "code": d.code,
                    "text": str(DeclarationCode(d.code).label),
                    "accepted": d.accepted,
                    "by": d.by.get_full_name() or d.by.username,
                    "at": d.at,
                }
                for d in data.declarations.select_related("by")
            ],
            totals=data_totals(data),
            verdict=data.verdict_current,
            verdict_note=data.verdict_note if data.verdict_current else "",
        )
    payload["requested_kw"] = case.power_kw
    return GenerationSerializer(payload).data
