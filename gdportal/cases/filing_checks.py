"""Refusals a rule can catch at filing (SPEC §15): the coordinates against the registry, and art. 73-A.

The request form (and through it bulk filing and the API) shows these messages next to their fields;
`case_rule_errors` (rules.py) runs them again as the services' last word; `filing_facts_apply` writes what
they found on the case (the distance, the dispensation) before it is saved or sent.

- Coordinates: farther than GD_COORDINATES_MAX_DISTANCE_M from the registry's location of the UC is refused,
  with the distance, unless the filer ticks "Confirmo as coordenadas informadas" and says why (≥ 20
  characters). No location in the registry, no check.
- Dispensed from the flow-inversion analysis (REN 1.000 art. 73-A): fast track (autoconsumo local up to
  7,5 kW with the holder's term that the surplus goes to no other unit), grid zero (the declaration that the
  system injects nothing), or — shown, not chosen — micro at or below the calculator's figure for the unit.
"""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gdportal.geo import distance_br, haversine_m, whole_metres

from .choices import CaseKind, FlowDispensation, Modality, Reason

# REN 1.000 art. 73-A §2: autoconsumo local up to this power is connected without the flow-inversion study
# when the holder accepts that its surplus is not allocated to other units.
FAST_TRACK_MAX_KW = Decimal("7.5")
MICRO_REASONS = {Reason.MICRO_UP_TO_10, Reason.MICRO_ABOVE_10}
REASON_MIN_CHARS = 20

FAST_TRACK_TERM = gettext_lazy(
    "Term (art. 73-A, fast track): I accept that the surplus energy of this local self-consumption system up "
    "to 7,5 kW will not be allocated to other consumer units; it stays as credit at this unit."
)
GRID_ZERO_DECLARATION = gettext_lazy(
    "Declaration (grid zero): the system does not inject energy into the distribution grid."
)
DISPENSED = gettext_lazy("Dispensed from the flow-inversion analysis (art. 73-A)")


def registry_distance_m(case):
    """Whole metres between the case's coordinates and its installation's registered location, or None when
    either is missing (a new unit, a registry without the location, coordinates not typed yet)."""
    inst = case.installation if case.installation_id else None
    if inst is None or inst.latitude is None or inst.longitude is None:
        return None
    if case.latitude in (None, "") or case.longitude in (None, ""):
        return None
    return whole_metres(haversine_m(inst.latitude, inst.longitude, case.latitude, case.longitude))


def coordinates_errors(case, distance=None):
    """{field: message} for coordinates too far from the registered address, not confirmed with a reason."""
    distance = registry_distance_m(case) if distance is None else distance
    limit = settings.GD_COORDINATES_MAX_DISTANCE_M
    if distance is None or distance <= limit:
        return {}
    errors = {}
    if not case.coordinates_confirmed:
        errors["latitude"] = _(
            "The coordinates given are %(distance)s from the UC's registered address (the limit is "
            "%(limit)s). Correct them, or tick “I confirm the coordinates given” and say why."
        ) % {"distance": distance_br(distance), "limit": distance_br(limit)}
    elif len((case.coordinates_reason or "").strip()) < REASON_MIN_CHARS:
        errors["coordinates_reason"] = _(
            "The coordinates are %(distance)s from the UC's registered address: say why they are right, "
            "in at least %(min)s characters."
        ) % {"distance": distance_br(distance), "min": REASON_MIN_CHARS}
    return errors


def fast_track_applies(case):
    power = case.power_kw
    return (
        case.modality == Modality.LOCAL
        and power not in (None, "")
        and Decimal(str(power)) <= FAST_TRACK_MAX_KW
    )


def dispensation_errors(case):
    """{field: message} for a term or declaration that cannot apply to what was typed."""
    errors = {}
    if (
        case.fast_track_term
        and case.modality
        and case.power_kw not in (None, "")
        and not fast_track_applies(case)
    ):
        errors["fast_track_term"] = _(
            "The fast track (art. 73-A) is only for local self-consumption up to 7,5 kW: untick the term, "
            "or change the power or the modality."
        )
    if case.grid_zero and case.modality and case.modality != Modality.LOCAL:
        errors["grid_zero"] = _(
            "A system that injects nothing into the grid has no surplus to send to other units: choose "
            "local self-consumption, or untick the declaration."
        )
    return errors


def calculator_applies(case):
    """Art. 73-A II: micro at or below the power compatible with the unit's consumption (SPEC §7.3), within
    the free-connection criteria — read here as the power already made available to the unit."""
    from gdportal.registry.flow_inversion import compatible_power_for

    inst = case.installation if case.installation_id else None
    if inst is None or case.reason not in MICRO_REASONS or case.power_kw in (None, ""):
        return False
    power = Decimal(str(case.power_kw))
    if power > inst.available_power_kw:
        return False
    figure = compatible_power_for(inst)
    return figure is not None and power <= figure.power_kw


def dispensation_for(case, calculator=True):
    """Which ground of art. 73-A dispenses the case, or '' (the order: what the holder chose, then the rule).
    `calculator=False` skips the ground that reads the unit's readings (a query per case)."""
    if case.kind != CaseKind.ACCESS:
        return FlowDispensation.NONE
    if case.fast_track_term and fast_track_applies(case):
        return FlowDispensation.FAST_TRACK
    if case.grid_zero and case.modality == Modality.LOCAL:
        return FlowDispensation.GRID_ZERO
    if calculator and calculator_applies(case):
        return FlowDispensation.CALCULATOR
    return FlowDispensation.NONE


def filing_errors(case):
    """Every §15 filing rule on an access request: {field: message}."""
    if case.kind != CaseKind.ACCESS:
        return {}
    return {**coordinates_errors(case), **dispensation_errors(case)}


def filing_facts_apply(case, calculator=True):
    """Write on the (unsaved) case what the rules found: the distance, the override kept only where it was
    needed, and the dispensation. A draft is saved with `calculator=False` (a bulk file saves hundreds): the
    calculator's ground is computed at filing, when the case is sent."""
    if case.kind != CaseKind.ACCESS:
        return case
    case.coordinates_distance_m = registry_distance_m(case)
    needed = (
        case.coordinates_distance_m is not None
        and case.coordinates_distance_m > settings.GD_COORDINATES_MAX_DISTANCE_M
    )
    if not needed:
        case.coordinates_confirmed, case.coordinates_reason = False, ""
    else:
        case.coordinates_reason = (case.coordinates_reason or "").strip()
    case.flow_dispensation = dispensation_for(case, calculator=calculator)
    return case


def dispensation_text(case):
    """'Dispensed from the flow-inversion analysis (art. 73-A): <ground>', or '' when the case is not."""
    if not case.flow_dispensation:
        return ""
    return f"{DISPENSED}: {case.get_flow_dispensation_display()}"


def distance_display(case):
    return distance_br(case.coordinates_distance_m) if case.coordinates_distance_m is not None else ""
