"""The rules of "Dados técnicos da geração" (SPEC §16), each with its pt-BR message where it is broken.

`generation_errors(case, values)` judges what the RT sends — the page's form or the API's JSON, both already
parsed into Python values — and answers {path: [messages]}: a field name ("breaker_a"), or a row's field as
"<group>.<index>.<field>" ("inverters.1.power_kw"), or "" for the whole step. `submission_errors(case)` is
the gate of the order's submission: the saved data complete, declared, and agreeing with the request.
"""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _

from gdportal.brdocs import only_digits
from gdportal.brformats import number_br
from gdportal.cases.choices import FlowDispensation, Modality, Reason
from gdportal.cases.gfc import gfc_required
from gdportal.cases.rules import reason_for_power

from .choices import (
    INVERTER_BASED,
    REQUIRED_DECLARATIONS,
    BuildingType,
    DeclarationCode,
    GenerationType,
    UnitsMode,
)
from .rules import power_identity_error, totals
from .units import INSTALLATION_DIGITS, RowInput, check_unit_list

MAX_ROWS = 50
FAST_TRACK_KW = Decimal("7.5")
# The modalities whose credits go to other units: they list them in the data step (SPEC §7.1, §16).
UNIT_MODALITIES = {Modality.REMOTE, Modality.SHARED, Modality.MULTIPLE_UNITS}
OTHER_TITULAR_MODALITIES = {Modality.SHARED, Modality.MULTIPLE_UNITS}
ROW_GROUPS = {
    "modules": ("power_w",),
    "inverters": ("power_kw", "voltage_v"),
    "generators": ("power_kva",),
}


class Errors(defaultdict):
    def __init__(self):
        super().__init__(list)

    def add(self, path, message):
        self[path].append(message)


def _positive(value):
    return value is not None and value > 0


def _check_rows(errors, group, rows):
    if len(rows) > MAX_ROWS:
        errors.add(group, _("At most %(n)s rows.") % {"n": MAX_ROWS})
    for index, row in enumerate(rows):
        path = f"{group}.{index}"
        for name in ("manufacturer", "model"):
            if not (row.get(name) or "").strip():
                errors.add(f"{path}.{name}", _("Fill in the manufacturer and the model."))
        for name in ROW_GROUPS[group]:
            if not _positive(row.get(name)):
                errors.add(f"{path}.{name}", _("Must be greater than zero."))
        if not _positive(row.get("quantity")):
            errors.add(f"{path}.quantity", _("The quantity must be at least 1."))
        if group == "inverters" and row.get("inmetro") and len(row["inmetro"]) > 40:
            errors.add(f"{path}.inmetro", _("At most 40 characters."))


def unit_rows(values):
    return [
        RowInput(
            installation=str(row.get("installation") or ""),
            percent=row.get("percentage"),
            priority=row.get("priority"),
            line=index + 1,
        )
        for index, row in enumerate(values.get("units") or [])
    ]


def _check_units(errors, case, values):
    rows = unit_rows(values)
    if case.modality not in UNIT_MODALITIES:
        if rows:
            errors.add(
                "units",
                _(
                    "Local self-consumption keeps its credits at the generating unit: list participating "
                    "units only for remote self-consumption, shared generation or multiple consumer units."
                ),
            )
        return
    if not rows:
        return  # judged at submission: a half-filled step may be saved
    if len(rows) > MAX_ROWS:
        errors.add("units", _("At most %(n)s rows.") % {"n": MAX_ROWS})
        return
    mode = values.get("units_mode") or UnitsMode.PERCENT
    if mode not in UnitsMode.values:
        errors.add("units_mode", _("Choose percentages or order of priority."))
        return
    found, _clean = check_unit_list(
        generator_number=case.installation.number if case.installation_id else "",
        titular=case.customer,
        other_titulars=case.modality in OTHER_TITULAR_MODALITIES,
        mode=mode,
        rows=rows,
    )
    names = {"installation": "installation", "percent": "percentage", "priority": "priority"}
    for index, fields in found.rows.items():
        for name, messages in fields.items():
            for message in messages:
                errors.add(f"units.{index}.{names.get(name, name)}", message)
    for name, messages in found.fields.items():
        for message in messages:
            errors.add("units" if name is None else name, message)


def generation_errors(case, values):
    """{path: [messages]} for the step as sent; empty when it may be saved."""
    errors = Errors()
    if values.get("generation_type") not in GenerationType.values:
        errors.add("generation_type", _("Choose the generation type."))
    if values.get("building_type") not in BuildingType.values:
        errors.add("building_type", _("Choose the building type."))
    area = values.get("array_area_m2")
    if area is not None and area <= 0:
        errors.add("array_area_m2", _("Must be greater than zero."))
    if values.get("has_storage"):
        for name in ("storage_kwh", "storage_kw"):
            if not _positive(values.get(name)):
                errors.add(name, _("With storage, give its energy (kWh) and power (kW)."))
    if values.get("leased_roof"):
        lessor = only_digits(values.get("lessor_installation") or "")
        if len(lessor) != INSTALLATION_DIGITS:
            errors.add("lessor_installation", _("A leased roof names the lessor's installation (10 digits)."))
    breaker = values.get("breaker_a")
    if breaker is not None and breaker <= 0:
        errors.add("breaker_a", _("Must be greater than zero."))
    if values.get("breaker_poles") not in (None, 1, 2, 3):
        errors.add("breaker_poles", _("A breaker has 1, 2 or 3 poles."))
    for group in ROW_GROUPS:
        _check_rows(errors, group, values.get(group) or [])
    _check_units(errors, case, values)
    unknown = set(values.get("declarations") or []) - set(DeclarationCode.values)
    if unknown:
        errors.add(
            "declarations", _("Unknown declaration: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
        )
    return dict(errors)


def _content_errors(case, data, modules, inverters, generators):
    errors = []
    if data.generation_type in INVERTER_BASED and not inverters:
        errors.append(_("List the inverters of the plant (manufacturer, model, AC power, quantity)."))
    if data.generation_type in INVERTER_BASED and case.source == "solar" and not modules:
        errors.append(_("List the photovoltaic modules of the plant (manufacturer, model, power, quantity)."))
    if data.generation_type not in INVERTER_BASED and not generators and not inverters:
        errors.append(_("List the generators of the plant (manufacturer, model, power in kVA, quantity)."))
    if data.generation_type == GenerationType.MIXED and not generators:
        errors.append(_("A mixed plant lists its generators too."))
    if case.modality in UNIT_MODALITIES and not data.units.exists():
        errors.append(
            _("List the participating units that receive the credits, with their percentage or order.")
        )
    return errors


def submission_errors(case):
    """Why the order may not be submitted for the generation data ([] when it may), SPEC §16."""
    from .models import GenerationData

    data = GenerationData.objects.filter(case=case).first()
    if data is None:
        return [_("Fill in “Generation technical data” before sending the order.")]
    modules, inverters, generators = (
        list(data.modules.all()),
        list(data.inverters.all()),
        list(data.generators.all()),
    )
    errors = _content_errors(case, data, modules, inverters, generators)
    declared = set(data.declarations.filter(accepted=True).values_list("code", flat=True))
    missing = [code for code in REQUIRED_DECLARATIONS if code not in declared]
    if missing:
        errors.append(
            _("Make the required declarations: %(codes)s.")
            % {"codes": "; ".join(f"{code.value} {code.label}" for code in missing)}
        )
    if data.verdict_current == "nonconforming":
        errors.append(
            _("The analyst marked “Generation technical data” not conforming: correct it before resending.")
        )
    if errors:
        return errors
    return power_errors(case, totals(data.generation_type, modules, inverters, generators)["installed_kw"])


def power_errors(case, installed):
    """The request's power, bracket (motivo), GFC and fast track judged from the structured total."""
    errors = []
    identity = power_identity_error(installed, case.power_kw)
    if identity:
        errors.append(identity)
    bracket = reason_for_power(installed)
    if bracket is None:
        errors.append(
            _("%(power)s kW is not distributed generation (above 0 and at most 5,000 kW).")
            % {"power": number_br(installed)}
        )
    elif bracket != case.reason:
        errors.append(
            _("%(power)s kW is “%(bracket)s”, but the request was filed as “%(reason)s”: the customer "
              "files a re-analysis with the right reason.")
            % {"power": number_br(installed), "bracket": bracket.label, "reason": Reason(case.reason).label}
        )  # fmt: skip
    if gfc_required(bracket, installed, case.modality) and not case.gfc_form:
        errors.append(
            _(
                "Minigeneration of %(power)s kW needs the performance guarantee (GFC), "
                "which the request lacks."
            )
            % {"power": number_br(installed)}
        )
    if case.flow_dispensation == FlowDispensation.FAST_TRACK and installed > FAST_TRACK_KW:
        errors.append(
            _("The request was dispensed from the flow-inversion study as up to 7,5 kW (fast track), but the "
              "equipment adds up to %(power)s kW.")
            % {"power": number_br(installed)}
        )  # fmt: skip
    return errors
