"""Building blocks for the ledger tests: tariffs, units, generators, allocations, readings and lots."""

from datetime import date
from decimal import Decimal

from compensation.ledger_rules import add_months
from compensation.models import (
    Allocation,
    AllocationSet,
    CreditLot,
    CycleResult,
    Generator,
    LedgerEntry,
    Reading,
    Tariff,
)
from tests import factories

D = Decimal
GD_I_REQUEST = date(2022, 6, 1)
GD_II_REQUEST = date(2024, 5, 2)


def cycle(text):
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def tariffs():
    """Group B residential: T = TE 0.40 + TUSD 0.40 = 0.80 R$/kWh, Fio B 0.20, Fio A 0.05.
    Group A commercial: T = 0.30 + 0.30 = 0.60, Fio B 0.10, Fio A 0.02."""
    Tariff.objects.create(
        valid_from=date(2020, 1, 1),
        group="B",
        installation_class="residential",
        te=D("0.40"),
        tusd=D("0.40"),
        fio_a=D("0.05"),
        fio_b=D("0.20"),
    )
    Tariff.objects.create(
        valid_from=date(2020, 1, 1),
        group="A",
        installation_class="commercial",
        te=D("0.30"),
        tusd=D("0.30"),
        fio_a=D("0.02"),
        fio_b=D("0.10"),
    )


def unit(phases="three", *, customer=None, voltage="BT", **fields):
    if voltage == "MT":
        fields.setdefault("installation_class", "commercial")
    extra = {"customer": customer} if customer else {}
    return factories.InstallationFactory(phases=phases, voltage=voltage, **extra, **fields)


def generator(installation, gd="I", *, requested_on=None, modality="local"):
    requested_on = requested_on or (GD_I_REQUEST if gd == "I" else GD_II_REQUEST)
    return Generator.objects.create(
        installation=installation,
        connected_on=date(2020, 1, 1) if gd == "I" else date(2024, 9, 1),
        power_kw=D("10"),
        source="solar",
        modality=modality,
        requested_on=requested_on,
        gd_class=gd,
    )


def allocate(gen, rows, *, mode="percent", remainder_to=None, first="2020-01"):
    """rows: [(installation, percent or priority)]."""
    from django.utils import timezone

    allocation = AllocationSet.objects.create(
        generator=gen,
        mode=mode,
        remainder_to=remainder_to,
        status="accepted",
        first_cycle=cycle(first),
        requested_at=timezone.now(),
    )
    for inst, value in rows:
        Allocation.objects.create(
            allocation_set=allocation,
            installation=inst,
            percent=D(value) if mode == "percent" else None,
            priority=value if mode == "priority" else None,
        )
    return allocation


def read(installation, when, consumed, injected=0):
    Reading.objects.update_or_create(
        installation=installation,
        cycle=cycle(when),
        defaults={"consumed_kwh": D(consumed), "injected_kwh": D(injected)},
    )


def lot(installation, origin, kwh, gd="I", *, requested_on=None):
    """A lot made earlier (as the ledger would have written it: the lot and its `created` entry)."""
    origin = cycle(origin)
    made = CreditLot.objects.create(
        installation=installation,
        customer=installation.customer,
        origin_cycle=origin,
        gd_class=gd,
        requested_on=requested_on or (GD_I_REQUEST if gd == "I" else GD_II_REQUEST),
        expires_after=add_months(origin, 60),
        remaining_kwh=D(kwh),
    )
    LedgerEntry.objects.create(lot=made, installation=installation, cycle=origin, kind="created", kwh=D(kwh))
    return made


def result(installation, when):
    return CycleResult.objects.get(installation=installation, cycle=cycle(when))


def ledger_snapshot():
    """Everything the ledger wrote, to compare before and after a run that must change nothing."""
    return (
        list(CreditLot.objects.order_by("pk").values_list()),
        list(LedgerEntry.objects.order_by("pk").values_list("pk", "lot_id", "kind", "kwh", "reverses_id")),
        list(
            CycleResult.objects.order_by("pk").values_list(
                "pk", "installation_id", "cycle", "balance_kwh", "energy_parcel_brl"
            )
        ),
    )


def lots_match_entries():
    """Every lot's remaining kWh is the sum of its entries (added here in Decimal: SQLite's SUM of a decimal
    column is a float), and none is negative."""
    totals = {}
    for lot_id, kwh in LedgerEntry.objects.values_list("lot_id", "kwh"):
        totals[lot_id] = totals.get(lot_id, 0) + kwh
    for made in CreditLot.objects.all():
        assert made.remaining_kwh >= 0, made
        assert made.remaining_kwh == totals.get(made.pk, 0), (made, totals.get(made.pk))
