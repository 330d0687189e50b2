"""Corrected readings (SPEC §7.2): reverse a cycle and every later computed one, then compute them again.

Nothing is deleted from the ledger: each entry of those cycles gets a `reversal` entry (the same lot, unit,
cycle and counterpart, the opposite kWh), which brings every lot back to what it held before; the cycles'
results are derived rows and are replaced. The units involved are closed over every link that moves energy
between them — generator and receiving units of the allocations in force from that cycle on, the two sides of
each transfer, and the lots their titulars hold in their own name — so no unit keeps a use of energy that a
recomputed one no longer sends.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Max, Q, Sum

from gdportal.registry.models import Installation

from . import ledger_db as db
from .ledger_rules import add_months
from .models import (
    Allocation,
    AllocationSet,
    AllocationStatus,
    CreditLot,
    CycleResult,
    EntryKind,
    LedgerEntry,
)

TRANSFERS = (EntryKind.TRANSFERRED_OUT, EntryKind.TRANSFERRED_IN)
# Above this many units a call computes the whole cycle: the same result, without a list of every unit in
# one statement (PostgreSQL takes at most 65,535 parameters).
WHOLE_CYCLE_ABOVE = 5000


def involved_units(cycle, installations):
    """The units whose ledger from `cycle` on depends on `installations`' (and back)."""
    involved = {getattr(i, "pk", i) for i in installations}
    sets = AllocationSet.objects.filter(
        Q(last_cycle__isnull=True) | Q(last_cycle__gte=cycle), status=AllocationStatus.ACCEPTED
    )
    while True:
        size = len(involved)
        ids = list(involved)
        feeding = sets.filter(Q(rows__installation_id__in=ids) | Q(remainder_to_id__in=ids))
        involved.update(feeding.values_list("generator__installation_id", flat=True))
        fed = sets.filter(generator__installation_id__in=list(involved))
        involved.update(
            Allocation.objects.filter(allocation_set__in=fed).values_list("installation_id", flat=True)
        )
        involved.update(fed.exclude(remainder_to=None).values_list("remainder_to_id", flat=True))
        moves = LedgerEntry.objects.filter(cycle__gte=cycle, kind__in=TRANSFERS)
        involved.update(moves.filter(installation_id__in=ids).values_list("counterpart_id", flat=True))
        involved.update(moves.filter(counterpart_id__in=ids).values_list("installation_id", flat=True))
        involved.discard(None)
        if len(involved) == size:
            return involved


@transaction.atomic
def recompute_from(cycle, installations):
    """Reverse every entry of `cycle` and of every later cycle of the units involved, then compute those
    cycles again in order (contract-end transfers are made again at their cycle, to the same unit)."""
    from .ledger import compute_cycle
    from .ledger_transfers import adjust_results, move_lots

    cycle = cycle.replace(day=1)
    involved = involved_units(cycle, installations)
    titulars = set(Installation.objects.filter(pk__in=list(involved)).values_list("customer_id", flat=True))
    entries = list(
        LedgerEntry.objects.filter(cycle__gte=cycle, reversed_by__isnull=True)
        .exclude(kind=EntryKind.REVERSAL)
        .filter(
            Q(installation_id__in=list(involved))
            | Q(counterpart_id__in=list(involved))
            | Q(installation__isnull=True, lot__customer_id__in=list(titulars))
        )
        .values_list("id", "lot_id", "installation_id", "cycle", "kind", "kwh", "counterpart_id")
        .order_by("id")
    )
    replay = defaultdict(dict)  # {cycle: {source: destination}}: the contract ends to make again
    reversals, delta = [], defaultdict(int)
    for entry_id, lot_id, unit, entry_cycle, kind, kwh_, counterpart in entries:
        reversals.append((lot_id, unit, entry_cycle, EntryKind.REVERSAL, -kwh_, counterpart, entry_id))
        delta[lot_id] -= kwh_
        if kind == EntryKind.TRANSFERRED_OUT and unit is not None:
            replay[entry_cycle][unit] = counterpart
    db.write_entries(reversals)
    lots = CreditLot.objects.filter(pk__in=list(delta)).values_list("pk", "remaining_kwh")
    db.set_remaining([(pk, remaining + delta[pk]) for pk, remaining in lots])

    results = CycleResult.objects.filter(installation_id__in=list(involved), cycle__gte=cycle)
    last = CycleResult.objects.aggregate(last=Max("cycle"))["last"] or cycle
    last = max([last, cycle, *replay])
    results.delete()  # derived rows: computed again below
    current = cycle
    while current <= last:
        compute_cycle(current, installations=involved)
        for source, destination in replay.get(current, {}).items():
            source_unit = Installation.objects.get(pk=source)
            moved = move_lots(
                list(CreditLot.objects.filter(installation_id=source, remaining_kwh__gt=0)),
                source=source,
                destination=destination,
                customer_id=source_unit.customer_id,
                cycle=current,
            )
            adjust_results(source, destination, current, moved)
        current = add_months(current, 1)


def readings_changed(installations, cycles):
    """After readings were saved (`import_readings`): compute the cycles not computed yet and recompute those
    whose readings changed, in order. Returns {cycle: counts}."""
    from .ledger import compute_cycle

    units = {getattr(i, "pk", i) for i in installations}
    only = units if len(units) <= WHOLE_CYCLE_ABOVE else None
    return {c: compute_cycle(c, installations=only) for c in sorted({c.replace(day=1) for c in cycles})}


def lots_out_of_balance():
    """Lots whose cached remaining kWh differs from the sum of their entries (an audit; empty when sound)."""
    sums = LedgerEntry.objects.values("lot_id").annotate(total=Sum("kwh"))
    totals = {row["lot_id"]: row["total"] for row in sums}
    return [
        (pk, remaining, totals.get(pk))
        for pk, remaining in CreditLot.objects.values_list("pk", "remaining_kwh")
        if totals.get(pk) != remaining
    ]
