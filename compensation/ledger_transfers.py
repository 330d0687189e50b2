"""Credits that change hands (SPEC §7.2 item 7, REN 655-M): a contract's end, and the lots then left in the
titular's name, which a new unit of theirs takes or which expire.

A move never edits a lot: the old lot gets a `transferred_out` entry down to zero and a new lot, with the same
origin cycle, class and expiry, gets the `transferred_in` entry; each names the other unit as counterpart.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from gdportal.registry.models import Installation, InstallationStatus

from . import ledger_db as db
from .ledger_rules import ZERO, add_months
from .models import CreditLot, CycleResult, EntryKind, Reading


class TransferRefused(ValueError):
    pass


def move_lots(lots, *, source, destination, customer_id, cycle):
    """Move each open lot (CreditLot rows) to `destination` (an installation id, or None: the titular's name).
    Returns the kWh moved."""
    lots = [lot for lot in lots if lot.remaining_kwh > 0]
    if not lots:
        return ZERO
    ids = db.new_ids(CreditLot, len(lots))
    new_lots, entries, remaining, moved = [], [], [], ZERO
    for new_id, lot in zip(ids, lots, strict=True):
        amount = lot.remaining_kwh
        new_lots.append(
            (
                new_id,
                destination,
                customer_id,
                lot.origin_cycle,
                lot.gd_class,
                lot.requested_on,
                lot.expires_after,
                amount,
            )
        )
        entries.append((lot.id, source, cycle, EntryKind.TRANSFERRED_OUT, -amount, destination, None))
        entries.append((new_id, destination, cycle, EntryKind.TRANSFERRED_IN, amount, source, None))
        remaining.append((lot.id, ZERO))
        moved += amount
    db.write_lots(new_lots)
    db.write_entries(entries)
    db.set_remaining(remaining)
    return moved


def _largest_unit(customer_id, cycle, *, exclude=None):
    """The titular's active unit that consumed most in the cycle (ties: the lowest number)."""
    units = Installation.objects.filter(customer_id=customer_id, status=InstallationStatus.ACTIVE)
    if exclude:
        units = units.exclude(pk=exclude)
    consumed = dict(
        Reading.objects.filter(installation__in=units, cycle=cycle).values_list(
            "installation_id", "consumed_kwh"
        )
    )
    candidates = list(units.order_by("number").values_list("pk", flat=True))
    if not candidates:
        return None
    return max(candidates, key=lambda pk: consumed.get(pk, ZERO))  # max keeps the first of equals


@transaction.atomic
def close_contract(installation, *, named=None, cycle):
    """A unit's contract ended in `cycle`: its open lots go to `named` (a unit of the same titular), else to
    the titular's active unit that consumed most in the cycle, else stay in the titular's name.

    Returns (destination installation id or None, kWh moved). The transfer is dated `cycle`; a cycle of
    either unit already computed after it is recomputed.
    """
    cycle = cycle.replace(day=1)
    source = Installation.objects.select_for_update().get(pk=getattr(installation, "pk", installation))
    if named is not None:
        named = Installation.objects.get(pk=getattr(named, "pk", named))
        if named.pk == source.pk or named.customer_id != source.customer_id:
            raise TransferRefused(_("Credits go only to another unit of the same titular (REN 655-M)."))
        if named.status != InstallationStatus.ACTIVE:
            raise TransferRefused(_("The unit named to take the credits is not active."))
        destination = named.pk
    else:
        destination = _largest_unit(source.customer_id, cycle, exclude=source.pk)
    lots = list(CreditLot.objects.select_for_update().filter(installation=source, remaining_kwh__gt=0))
    moved = move_lots(
        lots, source=source.pk, destination=destination, customer_id=source.customer_id, cycle=cycle
    )
    if moved:
        adjust_results(source.pk, destination, cycle, moved)
        later = [pk for pk in (source.pk, destination) if pk]
        if CycleResult.objects.filter(installation_id__in=later, cycle__gt=cycle).exists():
            from .ledger_corrections import recompute_from

            recompute_from(add_months(cycle, 1), later)
    return destination, moved


def adjust_results(source, destination, cycle, moved):
    """The cycle's results already computed say what left and what arrived."""
    CycleResult.objects.filter(installation_id=source, cycle=cycle).update(
        credits_transferred_kwh=F("credits_transferred_kwh") + moved, balance_kwh=F("balance_kwh") - moved
    )
    if destination:
        CycleResult.objects.filter(installation_id=destination, cycle=cycle).update(
            balance_kwh=F("balance_kwh") + moved
        )


def settle_titular_lots(ctx, only=None):
    """Lots in a titular's name: a unit of theirs with a reading this cycle takes them (the one that
    consumed most); those still unclaimed at the end of their 60 months expire."""
    lots = CreditLot.objects.filter(installation__isnull=True, remaining_kwh__gt=0).select_for_update()
    if only is not None:
        lots = lots.filter(customer_id__in=Installation.objects.filter(pk__in=only).values("customer_id"))
    by_customer = defaultdict(list)
    for lot in lots.order_by("customer_id", "origin_cycle", "id"):
        by_customer[lot.customer_id].append(lot)
    if not by_customer:
        return
    readers = dict(
        Reading.objects.filter(
            cycle=ctx.cycle,
            installation__customer_id__in=list(by_customer),
            installation__status=InstallationStatus.ACTIVE,
        )
        .values_list("installation__customer_id")
        .annotate(top=Max("consumed_kwh"))
    )
    expired, remaining = [], []
    for customer_id, customer_lots in by_customer.items():
        if customer_id in readers:
            destination = _largest_unit(customer_id, ctx.cycle)
            move_lots(
                customer_lots, source=None, destination=destination, customer_id=customer_id, cycle=ctx.cycle
            )
            continue
        for lot in customer_lots:
            if lot.expires_after <= ctx.cycle:
                expired.append((lot.id, None, ctx.cycle, EntryKind.EXPIRED, -lot.remaining_kwh, None, None))
                remaining.append((lot.id, ZERO))
    db.write_entries(expired)
    db.set_remaining(remaining)
