"""The statement (extrato) of one unit in the sistema de compensação (SPEC §7.2 "Statement", §12): what the
page, the PDF and the CSV export show, read from the ledger's results (one CycleResult per unit and cycle) and
its open credit lots.

Everything here is read in a fixed number of queries whatever the history holds: one for the cycles of the
period, one for the open lots; the yearly summary and the chart are sums over the rows already read.
Quantities stay Decimal with the ledger's 3 places; the page, the PDF and the CSV round to 2 (half-up) only
when they print.
"""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from gdportal.registry.models import Installation

from .models import KWH, Allocation, AllocationStatus, CreditLot, CycleResult, Generator
from .statement import COLUMNS, statement_row

# The columns of `compensation_statement --format csv` (SPEC §12): the export is the same file.
CSV_COLUMNS = COLUMNS
# The quantities a period sums (the balance is not one of them: it is read at the end of the period).
SUMMED = (
    "consumed_kwh",
    "injected_kwh",
    "compensated_own_kwh",
    "compensated_received_kwh",
    "compensated_lots_kwh",
    "received_kwh",
    "credits_created_kwh",
    "credits_used_kwh",
    "credits_expired_kwh",
    "credits_transferred_kwh",
    "energy_parcel_brl",
    "parcel_without_gd_brl",
)
CYCLE_FORMAT = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
CENTS = Decimal("0.01")
ZERO = Decimal("0")


def parse_cycle(text: str) -> date:
    """'2025-03' → date(2025, 3, 1), the way cycles are stored; ValueError for anything else."""
    match = CYCLE_FORMAT.match((text or "").strip())
    if not match:
        raise ValueError(text)
    return date(int(match.group(1)), int(match.group(2)), 1)


def cycle_code(cycle: date) -> str:
    return f"{cycle:%Y-%m}"


def expiry_date(expires_after: date) -> date:
    """A lot is written off at the end of its last cycle (SPEC §7.2 step 6): the last day of that month."""
    return expires_after.replace(day=calendar.monthrange(expires_after.year, expires_after.month)[1])


@dataclass
class Totals:
    """Sums of a run of cycles (a calendar year, or the whole period) and the balance at its last cycle."""

    label: str = ""
    cycles: int = 0
    consumed_kwh: Decimal = ZERO
    injected_kwh: Decimal = ZERO
    compensated_own_kwh: Decimal = ZERO
    compensated_received_kwh: Decimal = ZERO
    compensated_lots_kwh: Decimal = ZERO
    received_kwh: Decimal = ZERO
    credits_created_kwh: Decimal = ZERO
    credits_used_kwh: Decimal = ZERO
    credits_expired_kwh: Decimal = ZERO
    credits_transferred_kwh: Decimal = ZERO
    energy_parcel_brl: Decimal = ZERO
    parcel_without_gd_brl: Decimal = ZERO
    balance_kwh: Decimal = ZERO

    def add(self, result: CycleResult) -> None:
        self.cycles += 1
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + getattr(result, name))
        self.balance_kwh = result.balance_kwh  # rows come in cycle order: the last one is the period's end

    @property
    def compensated_kwh(self) -> Decimal:
        return self.compensated_own_kwh + self.compensated_received_kwh + self.compensated_lots_kwh

    @property
    def saving_brl(self) -> Decimal:
        return self.parcel_without_gd_brl - self.energy_parcel_brl


@dataclass(frozen=True)
class OpenLot:
    origin_cycle: date
    gd_class: str  # its label, "GD I"
    remaining_kwh: Decimal
    expires_on: date


@dataclass
class Statement:
    installation: Installation
    first: date | None
    last: date | None
    results: list  # CycleResult, oldest first
    years: list = field(default_factory=list)  # Totals per calendar year, oldest first
    total: Totals = field(default_factory=Totals)
    lots: list = field(default_factory=list)  # OpenLot, oldest origin first

    @property
    def balance_kwh(self) -> Decimal:
        """What the unit holds now: the sum of its open lots (the ledger's truth, whatever the period)."""
        return sum((lot.remaining_kwh for lot in self.lots), ZERO)


def period_results(installation: Installation, first: date | None = None, last: date | None = None):
    results = CycleResult.objects.filter(installation=installation)
    if first:
        results = results.filter(cycle__gte=first)
    if last:
        results = results.filter(cycle__lte=last)
    return results.order_by("cycle")


def open_lots(installation: Installation) -> list[OpenLot]:
    lots = CreditLot.objects.filter(installation=installation, remaining_kwh__gt=0).order_by(
        "origin_cycle", "id"
    )
    return [
        OpenLot(
            origin_cycle=lot.origin_cycle,
            gd_class=lot.get_gd_class_display(),
            remaining_kwh=lot.remaining_kwh,
            expires_on=expiry_date(lot.expires_after),
        )
        for lot in lots
    ]


def build_statement(installation: Installation, first: date | None = None, last: date | None = None):
    """The statement of a period (both ends included, either may be open): two queries."""
    results = list(period_results(installation, first, last))
    years: dict[int, Totals] = {}
    total = Totals()
    for result in results:
        years.setdefault(result.cycle.year, Totals(label=str(result.cycle.year))).add(result)
        total.add(result)
    return Statement(
        installation=installation,
        first=first,
        last=last,
        results=results,
        years=list(years.values()),
        total=total,
        lots=open_lots(installation),
    )


def csv_row(result: CycleResult) -> dict[str, str]:
    """The command's row (compensation.statement) as the CSV prints it: a dot and exactly 2 decimals."""
    return {
        column: f"{value:.2f}" if column != "cycle" else value
        for column, value in statement_row(result).items()
    }


def csv_rows(installation: Installation, first: date | None = None, last: date | None = None) -> list[dict]:
    """One dict per cycle with the §12 columns (CSV_COLUMNS), as strings with a dot and 2 decimals."""
    return [csv_row(result) for result in period_results(installation, first, last)]


def compensation_units(customer_id: int):
    """The titular's units in the sistema de compensação — generators, units that receive or received credits,
    units with lots or results — each annotated with its balance (open lots), its role and its last computed
    cycle: one query."""
    unit = OuterRef("pk")
    balance = (
        CreditLot.objects.filter(installation=unit, remaining_kwh__gt=0)
        .values("installation")
        .annotate(total=Sum("remaining_kwh"))
        .values("total")
    )
    kwh = DecimalField(**KWH)
    receives = Allocation.objects.filter(installation=unit, allocation_set__status=AllocationStatus.ACCEPTED)
    return (
        Installation.objects.filter(customer_id=customer_id)
        .annotate(
            is_generator=Exists(Generator.objects.filter(installation=unit)),
            is_receiver=Exists(receives),
            has_results=Exists(CycleResult.objects.filter(installation=unit)),
            has_lots=Exists(CreditLot.objects.filter(installation=unit)),
            balance_kwh=Coalesce(Subquery(balance, output_field=kwh), Value(ZERO), output_field=kwh),
            last_cycle=Subquery(
                CycleResult.objects.filter(installation=unit).order_by("-cycle").values("cycle")[:1]
            ),
        )
        .filter(Q(is_generator=True) | Q(is_receiver=True) | Q(has_results=True) | Q(has_lots=True))
        .order_by("number")
    )


def credits_in_titular_name(customer_id: int) -> Decimal:
    """Credits of a unit whose contract ended with no unit to take them (REN 655-M): they wait in the
    titular's name until one appears or they expire."""
    total = CreditLot.objects.filter(
        customer_id=customer_id, installation__isnull=True, remaining_kwh__gt=0
    ).aggregate(total=Sum("remaining_kwh"))["total"]
    return total or ZERO
