"""The rules of an access request (SPEC §4.2), as plain functions.

The forms call them for the message next to each field; the services call `case_rule_errors` as the last
word, so a case filed without the form (the admin, a script, the API) meets the same rules. Each function
answers with the message to show, or None when the rule holds.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gdportal.brformats import number_br

from .choices import (
    MINI_NON_DISPATCHABLE_MAX,
    NON_DISPATCHABLE,
    OPEN_STATES,
    POWER_LIMITS,
    CaseKind,
    Reason,
    RequestType,
)
from .filing_checks import filing_errors
from .gfc import gfc_amount, gfc_required

# Lei 14.300/2022: non-dispatchable minigeneration is capped at 3 MW for requests filed after this day.
NON_DISPATCHABLE_CAP_FROM = dt.date(2023, 1, 7)


def decimal_br(value):
    return formats.number_format(value, decimal_pos=2, force_grouping=True)


def reason_for_power(power):
    """The motivo an installed power belongs to (SPEC §4.2), or None above 5,000 kW (not distributed
    generation) and at or below zero."""
    if power is None:
        return None
    for reason, (low, high) in POWER_LIMITS.items():
        if low < power <= high:
            return reason
    return None


def power_error(power, reason, source, requested_on=None):
    """The installed power must fit the motivo; non-dispatchable minigeneration stops at 3,000 kW."""
    if power is None or not reason or reason not in POWER_LIMITS:
        return None
    if power <= 0:
        return _("The power must be greater than zero.")
    low, high = POWER_LIMITS[Reason(reason)]
    if not (low < power <= high):
        limits = {
            Reason.MICRO_UP_TO_10: _("Microgeneration up to 10 kW: the power must be at most 10 kW."),
            Reason.MICRO_ABOVE_10: _(
                "Microgeneration above 10 kW: the power must be above 10 kW and at most 75 kW."
            ),
            Reason.MINI: _("Minigeneration: the power must be above 75 kW and at most 5,000 kW."),
        }[Reason(reason)]
        fits = reason_for_power(power)
        if fits is None:
            return limits
        # Most mismatches are a motivo picked before the power was typed: say which one the power needs.
        return "{} {}".format(
            limits,
            _("For %(power)s kW choose “%(reason)s”.") % {"power": number_br(power), "reason": fits.label},
        )
    requested_on = requested_on or timezone.localdate()
    if (
        reason == Reason.MINI
        and source in NON_DISPATCHABLE
        and power > MINI_NON_DISPATCHABLE_MAX
        and requested_on > NON_DISPATCHABLE_CAP_FROM
    ):
        return _(
            "Non-dispatchable sources (solar, wind) are limited to 3,000 kW in "
            "minigeneration (Lei 14.300/2022)."
        )
    return None


def state_error(uf):
    if (uf or "").strip().upper() != "MG":
        return _("Cemig serves Minas Gerais only: the state must be MG.")
    return None


def coordinate_error(value, axis):
    """`axis`: "lat" or "lon"; the plant must lie inside Minas Gerais' bounding box."""
    low, high = settings.GD_MG_BOUNDS[axis]
    if value is not None and not (Decimal(str(low)) <= Decimal(str(value)) <= Decimal(str(high))):
        return _("The coordinates must be inside Minas Gerais (%(low)s to %(high)s).") % {
            "low": decimal_br(low),
            "high": decimal_br(high),
        }
    return None


def request_type_error(request_type, has_installation):
    if request_type == RequestType.NEW_UNIT and has_installation:
        return _(
            "A new unit has no installation yet: pick another type or start again with “New connection”."
        )
    if request_type and request_type != RequestType.NEW_UNIT and not has_installation:
        return _("Without an installation only “Connection of a new consumer unit with GD” is possible.")
    return None


def expansion_errors(request_type, installation_id, installation_number, power):
    """{field: message} for an ampliação (SPEC §16): it changes a plant already connected at the installation,
    and its power is the total after the change (so the motivo bracket and the GFC are judged on it)."""
    if request_type != RequestType.EXPANSION or not installation_id:
        return {}
    from .plants import current_plant

    plant = current_plant(installation_id)
    if plant is None:
        return {
            "request_type": _(
                "Installation %(number)s has no connected generating unit: an expansion changes an existing "
                "plant. Pick another request type."
            )
            % {"number": installation_number}
        }
    if power is not None and power <= plant.power_kw:
        return {
            "power_kw": _(
                "For an expansion type the total power after the change: more than the current "
                "%(current)s kW."
            )
            % {"current": number_br(plant.power_kw)}
        }
    return {}


def gfc_errors(reason, power, modality, gfc_form, gfc_bank):
    """{field: message} for the performance guarantee (SPEC §6.5): required for minigeneration > 500 kW."""
    if not gfc_required(reason, power, modality):
        return {}
    if not gfc_form:
        return {
            "gfc_form": _("Minigeneration above 500 kW needs the performance guarantee (GFC): R$ %(amount)s.")
            % {"amount": decimal_br(gfc_amount(power))}
        }
    if gfc_form == "bank" and not gfc_bank:
        return {"gfc_bank": _("Choose one of the accepted banks.")}
    return {}


def open_access_request(installation_id, *, exclude_pk=None):
    """The installation's access request under way (filed, not in a final state), or None.

    One at a time per installation: a second one would be analysed beside the first, with two NSs and two
    APR Web orders for one plant. Consultations never count (they end with an answer, not a connection); a
    re-analysis is the same case going on, not a new request.
    """
    if not installation_id:
        return None
    from .models import Case

    others = Case.objects.filter(installation_id=installation_id, kind=CaseKind.ACCESS, state__in=OPEN_STATES)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    # Asked for every request saved or sent (and for each row of a bulk file): only what callers read.
    return others.only("pk", "protocol", "state", "installation_id").order_by("submitted_at", "id").first()


def open_request_error(installation_number, open_case):
    """Says no protocol: whoever reads it may not be allowed to see that case (the form adds the link)."""
    if open_case is None:
        return None
    return _(
        "Installation %(number)s already has an access request under way. Only one may be open at a time: "
        "follow that one, or cancel it before filing a new one."
    ) % {"number": installation_number}


def case_rule_errors(case):
    """Every §4.2 rule on a case about to be saved or sent: {field: message}, empty when it may go on."""
    errors = {}
    requested_on = timezone.localdate(case.submitted_at) if case.submitted_at else None
    power = Decimal(str(case.power_kw)) if case.power_kw not in (None, "") else None
    checks = {
        "power_kw": power_error(power, case.reason, case.source, requested_on),
        "uf": state_error(case.uf),
        "latitude": coordinate_error(case.latitude, "lat"),
        "longitude": coordinate_error(case.longitude, "lon"),
    }
    if not case.is_consultation:
        checks["request_type"] = request_type_error(case.request_type, case.installation_id is not None)
        number = case.installation.number if case.installation_id else ""
        expansion = expansion_errors(case.request_type, case.installation_id, number, power)
        for field, message in expansion.items():
            checks[field] = checks.get(field) or message
        errors.update(gfc_errors(case.reason, power, case.modality, case.gfc_form, case.gfc_bank))
        # SPEC §15: coordinates against the registry, art. 73-A term and declaration.
        errors.update(filing_errors(case))
    if case.installation_id and not case.installation.is_active:
        checks["installation"] = _("Installation %(number)s is closed and cannot receive generation.") % {
            "number": case.installation.number
        }
    elif case.installation_id and not case.is_consultation:
        other = open_access_request(case.installation_id, exclude_pk=case.pk)
        checks["installation"] = open_request_error(case.installation.number, other)
    if case.document != case.customer.document:
        checks["document"] = _("This CPF/CNPJ does not match the holder's registration.")
    errors.update({field: message for field, message in checks.items() if message})
    return errors
