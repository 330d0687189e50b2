"""The arithmetic of one unit's bill in one cycle (SPEC §7.2 item 4, REN 655-I), with no database.

With C the consumption, CD the custo de disponibilidade (kWh), T the full tariff and t what compensated energy
still pays, the compensated energy is E = min(available, C, max(0, (C − CD) × T / (T − t))) and the energy
parcel max(CD × T, (C − E) × T + E × t). A unit may compensate from several sources with different t (its
own injection, what generators sent, its own lots of other classes), one after the other: `Bill.take` applies
the same limit to each in turn, counting what the earlier ones already took off the bill — with one source
this is exactly the formula above.
"""

import calendar
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from gdportal.registry.models import Phases, Voltage

KWH_STEP = Decimal("0.001")
BRL_STEP = Decimal("0.01")
ZERO = Decimal("0")
# Custo de disponibilidade (REN 1.000 art. 291), kWh a month; group A (MT) has none.
AVAILABILITY_KWH = {Phases.SINGLE: Decimal(30), Phases.TWO: Decimal(50), Phases.THREE: Decimal(100)}


def kwh(value):
    return value.quantize(KWH_STEP, rounding=ROUND_HALF_UP)


def kwh_down(value):
    """A percentage share of the surplus is rounded down; the residue stays with the generator."""
    return value.quantize(KWH_STEP, rounding=ROUND_DOWN)


def brl(value):
    return value.quantize(BRL_STEP, rounding=ROUND_HALF_UP)


def tariff_group(voltage):
    return "A" if voltage == Voltage.MEDIUM else "B"


def availability_kwh(voltage, phases):
    if voltage == Voltage.MEDIUM:
        return ZERO
    return AVAILABILITY_KWH[phases]


def add_months(cycle, months):
    index = cycle.year * 12 + cycle.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def cycle_end(cycle):
    return cycle.replace(day=calendar.monthrange(cycle.year, cycle.month)[1])


class Bill:
    """One unit's energy bill in a cycle, as sources of compensation are taken in order."""

    __slots__ = ("consumed", "cd", "full", "left", "room", "paid", "compensated")

    def __init__(self, consumed, cd, full):
        self.consumed, self.cd, self.full = consumed, cd, full
        self.left = consumed  # consumption not compensated yet (E ≤ C)
        self.room = max(ZERO, consumed - cd) * full  # R$ the bill may still fall before the minimum
        self.paid = ZERO  # Σ compensated × t
        self.compensated = ZERO

    def has_room(self):
        return self.left > 0 and self.room > 0

    def capacity(self, t):
        """kWh this bill can still compensate from a source paying t per kWh."""
        if self.left <= 0 or self.room <= 0:
            return ZERO
        if t >= self.full:  # compensation saves nothing: only the consumption bounds it
            return self.left
        return min(self.left, kwh(self.room / (self.full - t)))

    def take(self, available, t):
        """Compensate up to `available` kWh at t; returns what was taken."""
        taken = min(available, self.capacity(t))
        if taken <= 0:
            return ZERO
        self.left -= taken
        self.room -= taken * (self.full - t)
        self.paid += taken * t
        self.compensated += taken
        return taken

    def parcel(self):
        return brl(max(self.cd * self.full, (self.consumed - self.compensated) * self.full + self.paid))

    def parcel_without_gd(self):
        return brl(max(self.cd * self.full, self.consumed * self.full))
