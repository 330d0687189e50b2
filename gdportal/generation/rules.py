"""The totals of the plant's data and the installed-power rule (SPEC §16), as plain functions.

They take the rows as any iterable of objects or dicts with the model's field names, so the form can judge
what was typed before anything is saved, and the services what is stored.
"""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from gdportal.brformats import number_br

from .choices import INVERTER_BASED, InstalledPowerRule

ZERO = Decimal(0)
THOUSAND = Decimal(1000)


def _get(row, name):
    value = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
    return value


def _sum(rows, power, scale=Decimal(1)):
    total = ZERO
    for row in rows:
        value, quantity = _get(row, power), _get(row, "quantity")
        if value in (None, "") or quantity in (None, ""):
            continue
        total += Decimal(str(value)) * int(quantity) / scale
    return total


def modules_kwp(modules):
    """Σ module W × quantity, in kWp."""
    return _sum(modules, "power_w", THOUSAND)


def inverters_kw(inverters):
    """Σ inverter kW CA × quantity."""
    return _sum(inverters, "power_kw")


def generators_kva(generators):
    return _sum(generators, "power_kva")


def installed_power_rule():
    return getattr(settings, "GD_INSTALLED_POWER_RULE", InstalledPowerRule.INVERTERS)


def installed_kw(generation_type, modules, inverters, generators, rule=None):
    """The plant's installed power (SPEC §16).

    Inverter-based plants: Σ inverter kW CA, or with GD_INSTALLED_POWER_RULE = "smaller" the smaller of that
    and Σ module kWp (when there are modules). A mixed plant adds its generators; a plant without converters
    counts its generators' kVA (unity power factor, as the request form reads it).
    """
    rule = rule or installed_power_rule()
    gens = generators_kva(generators)
    if generation_type not in INVERTER_BASED:
        return gens + inverters_kw(inverters)
    ac = inverters_kw(inverters)
    kwp = modules_kwp(modules)
    if rule == InstalledPowerRule.SMALLER and kwp > 0:
        ac = min(ac, kwp)
    return ac + gens


def totals(generation_type, modules, inverters, generators, rule=None):
    modules, inverters, generators = list(modules), list(inverters), list(generators)
    return {
        "modules_kwp": modules_kwp(modules),
        "inverters_kw": inverters_kw(inverters),
        "generators_kva": generators_kva(generators),
        "installed_kw": installed_kw(generation_type, modules, inverters, generators, rule),
    }


def data_totals(data, rule=None):
    """The totals of a saved GenerationData."""
    return totals(data.generation_type, data.modules.all(), data.inverters.all(), data.generators.all(), rule)


def power_identity_error(installed, requested):
    """The installed power must equal the Atende request's power, else the order cannot be submitted."""
    if requested is None:
        return None
    installed = Decimal(str(installed)).quantize(Decimal("0.01"))
    requested = Decimal(str(requested)).quantize(Decimal("0.01"))
    if installed == requested:
        return None
    return _(
        "The installed power from the generation data (%(installed)s kW) differs from the power of the "
        "access request (%(requested)s kW). Correct the equipment in “Generation technical data”, "
        "or the customer files a re-analysis with the right power."
    ) % {"installed": number_br(installed), "requested": number_br(requested)}
