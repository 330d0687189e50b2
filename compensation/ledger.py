"""The credit ledger's monthly run (SPEC §7.2): `compute_cycle(cycle)`.

A cycle is computed group by group — a generating unit with the units receiving from it under the allocation
in force (units shared by several generators join their groups into one) — then every other unit with a
reading or open lots. Generators go in chunks (GD_LEDGER_CHUNK_SIZE), each chunk one transaction of a few
set-based statements (ledger_db), so memory stays bounded whatever the number of units.

Idempotent: a unit already computed for the cycle with the same reading is left alone; one whose reading
changed, or that is computed out of order (a later cycle was computed first), is handed to
`ledger_corrections.recompute_from`, which reverses and recomputes.

Corrections, contract ends and the lots left in a titular's name are in ledger_corrections and
ledger_transfers; the arithmetic of a bill in ledger_rules.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from gdportal.registry.models import Installation

from . import ledger_db as db
from .gd_class import in_late_window, paid_rate
from .ledger_corrections import readings_changed, recompute_from  # noqa: F401 — the ledger's interface
from .ledger_rules import ZERO, Bill, add_months, availability_kwh, cycle_end, kwh_down, tariff_group
from .ledger_transfers import TransferRefused, close_contract, settle_titular_lots  # noqa: F401
from .models import (
    Allocation,
    AllocationMode,
    AllocationSet,
    AllocationStatus,
    CreditLot,
    EntryKind,
    Generator,
    Reading,
    Tariff,
)

# Lots read per unit: a few at first, more for a unit that needs them, then all (None) of its own.
LOT_ROUNDS = (4, 16, None)


class LedgerError(Exception):
    """The cycle cannot be computed (a tariff is missing): nothing of the chunk was written."""


@dataclass(slots=True)
class Unit:
    id: int
    customer_id: int
    voltage: str
    phases: str
    installation_class: str
    consumed: Decimal = ZERO
    injected: Decimal = ZERO
    gen_class: str | None = None  # set when the unit is a generating unit
    gen_requested_on: object = None
    bill: Bill | None = None
    own_used: Decimal = ZERO
    # [generator unit id, kWh received, kWh used, GD class, request date]
    received: list = field(default_factory=list)
    created: list = field(default_factory=list)  # [(kWh, GD class, request date, counterpart)]


class Context:
    """What a cycle's computation reads once: the cycle, the tariffs in force, the t of each class."""

    def __init__(self, cycle):
        self.cycle = cycle.replace(day=1)
        self.end = cycle_end(self.cycle)
        self.expires_after = add_months(self.cycle, settings.GD_CREDIT_VALID_MONTHS)
        self.tariffs = {}
        for tariff in Tariff.objects.filter(valid_from__lte=self.cycle).order_by("-valid_from"):
            self.tariffs.setdefault((tariff.group, tariff.installation_class), tariff)
        self._rates = {}

    def tariff(self, unit):
        key = (tariff_group(unit.voltage), unit.installation_class)
        try:
            return self.tariffs[key]
        except KeyError:
            raise LedgerError(
                f"No tariff in force on {self.cycle:%Y-%m-%d} for group {key[0]}, class {key[1]}"
                f" (installation id {unit.id}): load it with import_tariffs."
            ) from None

    def rate(self, unit, gd_class, requested_on):
        key = (unit.voltage, unit.installation_class, gd_class, requested_on)
        rate = self._rates.get(key)
        if rate is None:
            tariff = self.tariff(unit)
            late = gd_class == "II" and in_late_window(requested_on)
            by_tariff = (tariff.pk, gd_class, late)
            rate = self._rates.get(by_tariff)
            if rate is None:
                rate = self._rates[by_tariff] = paid_rate(tariff, gd_class, self.cycle.year, requested_on)
            self._rates[key] = rate
        return rate

    def in_force(self):
        """The allocation sets in force in the cycle."""
        return AllocationSet.objects.filter(
            Q(last_cycle__isnull=True) | Q(last_cycle__gte=self.cycle),
            status=AllocationStatus.ACCEPTED,
            first_cycle__lte=self.cycle,
        )


def compute_cycle(cycle, *, installations=None, chunk_size=None):
    """Compute one cycle for every unit (or the groups of `installations`); returns counts."""
    ctx = Context(cycle)
    only = None if installations is None else {getattr(i, "pk", i) for i in installations}
    size = chunk_size or settings.GD_LEDGER_CHUNK_SIZE
    stats = defaultdict(int)
    changed = set()
    # Only the run's own transactions commit without waiting for the disk, never a caller's (an import).
    own_transactions = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        settle_titular_lots(ctx, only)
    for gens in _generator_chunks(ctx, only, size):
        with transaction.atomic():
            db.fast_commit(own_transactions)
            changed |= _compute_chunk(ctx, gens, stats)
    for unit_ids in _other_chunks(ctx, only, size):
        with transaction.atomic():
            db.fast_commit(own_transactions)
            changed |= _compute_chunk(ctx, {}, stats, others=unit_ids)
    if changed:
        stats["recomputed"] += len(changed)
        recompute_from(ctx.cycle, changed)
    return dict(stats)


def _generator_chunks(ctx, only, size):
    """Generators in chunks, each with whole groups: a unit fed by several generators brings them all."""
    generators = Generator.objects.filter(connected_on__lte=ctx.end).order_by("installation_id")
    if only is not None:
        feeding = Allocation.objects.filter(
            allocation_set__in=ctx.in_force(), installation_id__in=only
        ).values("allocation_set__generator__installation_id")
        generators = generators.filter(Q(installation_id__in=only) | Q(installation_id__in=feeding))
    component = _shared_components(ctx)
    done, last = set(), 0
    while True:
        page = list(
            generators.filter(installation_id__gt=last).values_list(
                "installation_id", "gd_class", "requested_on"
            )[:size]
        )
        if not page:
            return
        last = page[-1][0]
        chunk = {g[0]: g for g in page if g[0] not in done}
        extra = {m for g in chunk if g in component for m in component[g]} - chunk.keys()
        if extra:
            for g in Generator.objects.filter(installation_id__in=extra).values_list(
                "installation_id", "gd_class", "requested_on"
            ):
                chunk[g[0]] = g
            done |= extra
        if chunk:
            yield chunk


def _shared_components(ctx):
    """{generator unit: every generator unit linked to it through a shared receiving unit}. Rare, so small:
    a unit receiving from two generators, or a receiving unit that is itself a generator."""
    rows = Allocation.objects.filter(allocation_set__in=ctx.in_force())
    generator_units = Generator.objects.filter(connected_on__lte=ctx.end).values("installation_id")
    shared = (
        rows.values("installation_id")
        .annotate(n=Count("id"))
        .filter(Q(n__gt=1) | Q(installation_id__in=generator_units))
        .values("installation_id")
    )
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for receiver, generator in rows.filter(installation_id__in=shared).values_list(
        "installation_id", "allocation_set__generator__installation_id"
    ):
        parent[find(generator)] = find(receiver)
    gens = set(
        Generator.objects.filter(installation_id__in=list(parent), connected_on__lte=ctx.end).values_list(
            "installation_id", flat=True
        )
    )
    members = defaultdict(set)
    for node in gens:
        members[find(node)].add(node)
    return {node: members[find(node)] for node in gens}


def _other_chunks(ctx, only, size):
    """Units that are neither generators nor receiving this cycle but have a reading or open lots."""
    in_force = ctx.in_force()
    units = (
        Installation.objects.filter(
            Exists(Reading.objects.filter(installation_id=OuterRef("pk"), cycle=ctx.cycle))
            | Exists(CreditLot.objects.filter(installation_id=OuterRef("pk"), remaining_kwh__gt=0))
        )
        .exclude(Exists(Generator.objects.filter(installation_id=OuterRef("pk"), connected_on__lte=ctx.end)))
        .exclude(
            Exists(Allocation.objects.filter(installation_id=OuterRef("pk"), allocation_set__in=in_force))
        )
        .exclude(Exists(in_force.filter(remainder_to_id=OuterRef("pk"))))
        .order_by("pk")
    )
    if only is not None:
        units = units.filter(pk__in=only)
    last = 0
    while True:
        page = list(units.filter(pk__gt=last).values_list("pk", flat=True)[:size])
        if not page:
            return
        last = page[-1]
        yield page


def _compute_chunk(ctx, gens, stats, others=()):
    """Compute the groups of `gens` ({unit: (unit, class, request date)}) or the lone units `others`.
    Returns the units whose cycle must be recomputed instead (changed reading, computed out of order)."""
    sets, rows = _allocations(ctx, gens)
    group_of = {g: g for g in gens}
    for g, (_set_id, _mode, remainder_to) in sets.items():
        for receiver, _pct, _prio in rows[g]:
            _join(group_of, g, receiver)
        if remainder_to:
            _join(group_of, g, remainder_to)
    for unit_id in others:
        group_of[unit_id] = unit_id
    unit_ids = list(group_of)
    states = db.unit_states(unit_ids, ctx.cycle)
    readings = {u: state[0] for u, state in states.items() if state[0] is not None}
    done = {u: state[1] for u, state in states.items() if state[1] is not None}
    groups = defaultdict(list)
    for unit_id in unit_ids:
        groups[_root(group_of, unit_id)].append(unit_id)
    todo, changed = [], set()
    for members in groups.values():
        present = [m for m in members if m in done]
        if not present:
            todo.extend(members)
        elif len(present) == len(members) and all(done[m] == readings.get(m, (ZERO, ZERO)) for m in members):
            stats["unchanged"] += len(members)
        else:
            changed.update(members)
    later = {u for u in todo if states[u][2]}
    if later:
        for members in groups.values():
            if later.intersection(members):
                changed.update(members)
        todo = [u for u in todo if u not in changed]
    if todo:
        _compute_units(ctx, todo, gens, sets, rows, readings)
        stats["computed"] += len(todo)
    return changed


def _join(group_of, a, b):
    group_of.setdefault(b, b)
    ra, rb = _root(group_of, a), _root(group_of, b)
    if ra != rb:
        group_of[rb] = ra


def _root(group_of, x):
    while group_of[x] != x:
        group_of[x] = group_of[group_of[x]]
        x = group_of[x]
    return x


def _allocations(ctx, gens):
    """The allocation in force of each generator: {gen: (set id, mode, remainder_to)}, {gen: [rows]}."""
    sets, rows = {}, defaultdict(list)
    if not gens:
        return sets, rows
    by_set = {}
    for set_id, gen, mode, remainder_to in (
        ctx.in_force()
        .filter(db.ids_in(Generator, "installation_id", gens, "generator__installation_id"))
        .order_by("generator_id", "-first_cycle", "-id")
        .values_list("id", "generator__installation_id", "mode", "remainder_to_id")
    ):
        if gen not in sets:
            sets[gen] = (set_id, mode, remainder_to)
            by_set[set_id] = gen
    for set_id, receiver, percent, priority in (
        Allocation.objects.filter(db.ids_in(Allocation, "allocation_set_id", by_set))
        .order_by("allocation_set_id", "priority", "id")
        .values_list("allocation_set_id", "installation_id", "percent", "priority")
    ):
        rows[by_set[set_id]].append((receiver, percent, priority))
    return sets, rows


def _compute_units(ctx, unit_ids, gens, sets, rows, readings):
    """Steps 1–3 of SPEC §7.2 for the given units (whole groups), then write lots, entries and results."""
    units = {}
    for uid, customer, voltage, phases, klass in (
        Installation.objects.filter(db.ids_in(Installation, "id", unit_ids))
        .order_by()
        .values_list("pk", "customer_id", "voltage", "phases", "installation_class")
    ):
        unit = Unit(uid, customer, voltage, phases, klass)
        unit.consumed, unit.injected = readings.get(uid, (ZERO, ZERO))
        tariff = ctx.tariff(unit)
        unit.bill = Bill(unit.consumed, availability_kwh(voltage, phases), tariff.full)
        units[uid] = unit
    order = sorted(g for g in gens if g in units)
    # Step 1: each generator's own consumption with its own injection (its own lots come in step 3).
    for g in order:
        unit = units[g]
        _gid, unit.gen_class, unit.gen_requested_on = gens[g]
        unit.own_used = unit.bill.take(unit.injected, ctx.rate(unit, unit.gen_class, unit.gen_requested_on))
    # Step 2: the surplus, generator after generator; a receiving unit uses what it receives at once.
    for g in order:
        _share_surplus(ctx, units, units[g], sets.get(g), rows.get(g, ()))
    # Step 3: each unit's own lots, oldest first; what is left of a lot past its 60 months expires.
    lots = _read_lots(ctx, units)
    balances = db.opening_balances(list(units), ctx.cycle)
    moved_out = db.transferred_out(list(units), ctx.cycle)
    new_lots, entries, remaining, results = [], [], [], []
    for unit in units.values():
        used, expired = _use_lots(ctx, unit, lots.get(unit.id, ()), entries, remaining)
        created = ZERO
        for amount, gd_class, requested_on, counterpart in unit.created:
            new_lots.append(
                [unit.id, unit.customer_id, ctx.cycle, gd_class, requested_on, amount, counterpart]
            )
            created += amount
        received = sum((r[1] for r in unit.received), ZERO)
        received_used = sum((r[2] for r in unit.received), ZERO)
        balance = balances.get(unit.id, ZERO) + created - used - expired
        results.append(
            (
                unit.id,
                ctx.cycle,
                unit.consumed,
                unit.injected,
                unit.own_used,
                received_used,
                used,
                received,
                created,
                used,
                expired,
                moved_out.get(unit.id, ZERO),
                balance,
                unit.bill.parcel(),
                unit.bill.parcel_without_gd(),
            )
        )
    ids = db.new_ids(CreditLot, len(new_lots))
    lot_rows = []
    for lot_id, (unit_id, customer, origin, gd_class, requested_on, amount, counterpart) in zip(
        ids, new_lots, strict=True
    ):
        lot_rows.append(
            (lot_id, unit_id, customer, origin, gd_class, requested_on, ctx.expires_after, amount)
        )
        entries.append((lot_id, unit_id, ctx.cycle, EntryKind.CREATED, amount, counterpart, None))
    db.write_lots(lot_rows)
    db.write_entries(entries)
    db.set_remaining(remaining)
    db.write_results(results)


def _share_surplus(ctx, units, gen, allocation, rows):
    """SPEC §7.2 step 2: percentages (each share rounded down, the residue stays as a lot at the generator)
    or priority order (each unit what it can compensate, the rest to the named unit or the biggest one)."""
    surplus = gen.injected - gen.own_used
    if surplus <= 0:
        return
    if allocation is None or not rows:
        gen.created.append((surplus, gen.gen_class, gen.gen_requested_on, None))
        return
    _set_id, mode, remainder_to = allocation

    def give(receiver_id, amount):
        receiver = units[receiver_id]
        t = ctx.rate(receiver, gen.gen_class, gen.gen_requested_on)
        used = receiver.bill.take(amount, t)
        receiver.received.append([gen.id, amount, used, gen.gen_class, gen.gen_requested_on])
        if amount > used:
            receiver.created.append((amount - used, gen.gen_class, gen.gen_requested_on, gen.id))

    left = surplus
    if mode == AllocationMode.PERCENT:
        for receiver_id, percent, _priority in rows:
            share = kwh_down(surplus * percent / 100)
            if share > 0:
                give(receiver_id, share)
                left -= share
        if left > 0:
            gen.created.append((left, gen.gen_class, gen.gen_requested_on, None))
        return
    for receiver_id, _percent, _priority in rows:
        if left <= 0:
            break
        receiver = units[receiver_id]
        amount = min(left, receiver.bill.capacity(ctx.rate(receiver, gen.gen_class, gen.gen_requested_on)))
        if amount > 0:
            give(receiver_id, amount)
            left -= amount
    if left > 0:
        # Ties on consumption go to the unit first in the order (max keeps the first it meets).
        target = remainder_to or max((r[0] for r in rows), key=lambda r: units[r].consumed)
        give(target, left)


def _read_lots(ctx, units):
    """{unit: [lot rows in FIFO order]}: the first few of each unit, then more for a unit that needs them (it
    would use every one read and still have room, or every one read expires this cycle), then all."""
    by_unit = defaultdict(list)
    wanted = list(units)
    for limit in LOT_ROUNDS:
        for unit_id in wanted:
            by_unit[unit_id] = []
        for row in db.first_open_lots(wanted, limit):
            by_unit[row[1]].append(row)
        if limit is None:
            break
        wanted = [u for u in wanted if len(by_unit[u]) == limit and _wants_more(ctx, units[u], by_unit[u])]
        if not wanted:
            break
    return by_unit


def _wants_more(ctx, unit, lots):
    if lots[-1][6] <= ctx.cycle:
        return True
    if not unit.bill.has_room():
        return False
    trial = Bill(unit.consumed, unit.bill.cd, unit.bill.full)
    trial.left, trial.room = unit.bill.left, unit.bill.room
    for lot in lots:
        if lot[6] >= ctx.cycle:
            trial.take(lot[7], ctx.rate(unit, lot[4], lot[5]))
    return trial.capacity(ZERO) > 0


def _use_lots(ctx, unit, lots, entries, remaining):
    """Compensate from the unit's lots in FIFO order, then write off what is left of lots at their end."""
    used_total = expired_total = ZERO
    for lot_id, _unit, _customer, _origin, gd_class, requested_on, expires_after, left in lots:
        used = ZERO
        if expires_after >= ctx.cycle and unit.bill.has_room():
            used = unit.bill.take(left, ctx.rate(unit, gd_class, requested_on))
            if used > 0:
                entries.append((lot_id, unit.id, ctx.cycle, EntryKind.USED, -used, None, None))
                used_total += used
        rest = left - used
        if rest > 0 and expires_after <= ctx.cycle:
            entries.append((lot_id, unit.id, ctx.cycle, EntryKind.EXPIRED, -rest, None, None))
            expired_total += rest
            rest = ZERO
        if rest != left:
            remaining.append((lot_id, rest))
    return used_total, expired_total
