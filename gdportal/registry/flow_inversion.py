"""The flow-inversion calculator's rule (SPEC §7.3, "Calculadora para liberação"; seed 001).

A microgeneration request whose power is at or below the power compatible with the unit's consumption skips
the flow-inversion analysis (REN 1.000 art. 73-A II) when it also meets the free-connection criteria. The
public calculator (compensation) and the Atende request form (atende) both show that figure, so the rule lives
here, in the shared layer, and nowhere else.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.conf import settings

from .models import ConsumptionReading, InstallationClass

# ANEEL's regulatory adjustment factors (Manual de Instruções, REN 1.000 art. 73 §1), as Cemig's calculator
# lists them. Poder Público has none of its own: seed 001 note 3 tells to use commerce's.
ADJUSTMENT_FACTORS = {
    InstallationClass.RESIDENTIAL: Decimal("0.46"),
    InstallationClass.COMMERCIAL: Decimal("0.63"),
    InstallationClass.RURAL: Decimal("0.53"),
    InstallationClass.PUBLIC_SERVICE: Decimal("0.57"),
    InstallationClass.INDUSTRIAL: Decimal("0.69"),
    InstallationClass.PUBLIC_POWER: Decimal("0.63"),
}
HOURS_PER_CYCLE = Decimal(730)  # 365 × 24 / 12: the hours of an average billing cycle
CYCLES = 12  # "Consumo médio nos últimos 12 ciclos"
CENTS = Decimal("0.01")


class Average(NamedTuple):
    """The average consumption of an installation and how many cycles it was taken over (at most 12)."""

    kwh: Decimal
    cycles: int


def adjustment_factor(installation_class):
    """FA for a class (a KeyError for a class the registry does not have)."""
    return ADJUSTMENT_FACTORS[InstallationClass(installation_class)]


def capacity_factor():
    """FC, from the setting GD_CALCULATOR_CAPACITY_FACTOR (a string, so no float rounding creeps in)."""
    return Decimal(str(settings.GD_CALCULATOR_CAPACITY_FACTOR))


def compatible_power_kw(installation_class, average_kwh):
    """The generation power (kW) compatible with an average monthly consumption, the one formula of §7.3:

        Pg = C × FA / (FC × 730 h)

    C is the average consumption over the last 12 billing cycles (kWh), FA the class's regulatory adjustment
    factor, FC the capacity factor (setting GD_CALCULATOR_CAPACITY_FACTOR) and 730 h an average cycle. ANEEL's
    exact equation was not recovered (SPEC §7.3), hence one function and the formula shown on the page.
    Rounded half-up to 2 decimals at the end, e.g. residential, 500 kWh: 500 × 0.46 / (0.16 × 730) = 1.97 kW.
    """
    consumption, factor = Decimal(average_kwh), adjustment_factor(installation_class)
    power = consumption * factor / (capacity_factor() * HOURS_PER_CYCLE)
    return power.quantize(CENTS, rounding=ROUND_HALF_UP)


def average_consumption(installation):
    """The mean of the installation's last 12 readings (one query), or None when it has none.

    An installation connected less than a year ago has fewer: the mean of those it has is still the best
    figure, and `cycles` says how many there were, so the page can say so. Rounded half-up to 2 decimals,
    and the power is computed from that rounded figure, so the formula shown with its numbers adds up.
    """
    values = list(
        ConsumptionReading.objects.filter(installation=installation)
        .order_by("-month")
        .values_list("kwh", flat=True)[:CYCLES]
    )
    if not values:
        return None
    mean = Decimal(sum(values)) / len(values)
    return Average(mean.quantize(CENTS, rounding=ROUND_HALF_UP), len(values))


class Figure(NamedTuple):
    power_kw: Decimal
    average: Average


def compatible_power_for(installation):
    """The figure for a registry installation — its own class and average (one query) — or None without
    readings. The Atende request form shows it next to the chosen installation."""
    average = average_consumption(installation)
    if average is None:
        return None
    return Figure(compatible_power_kw(installation.installation_class, average.kwh), average)
