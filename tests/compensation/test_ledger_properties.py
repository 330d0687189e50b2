"""Properties of the ledger for random readings, lots and allocations (hypothesis).

For every cycle: the energy injected is all accounted for (compensated at the generator, compensated by the
units that received it, or made into credit lots); no lot is ever negative and each holds the sum of its
entries; each unit's balance is the sum of its open lots; computing a cycle again changes nothing; and a
recompute from the first cycle (every entry reversed, everything computed again) gives the same results.
Receiving units may be shared between generators or be generators themselves, to exercise the groups.
"""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from compensation.ledger import compute_cycle
from compensation.ledger_corrections import readings_changed, recompute_from
from compensation.models import CreditLot, CycleResult

from .ledger_setup import (
    allocate,
    cycle,
    generator,
    ledger_snapshot,
    lot,
    lots_match_entries,
    read,
    tariffs,
    unit,
)

CYCLES = ["2025-11", "2025-12", "2026-01"]
kwh_values = st.integers(min_value=0, max_value=1_500_000).map(lambda n: Decimal(n) / 1000)


def result_values(cycles):
    return sorted(
        CycleResult.objects.filter(cycle__in=[cycle(c) for c in cycles]).values_list(
            "installation_id",
            "cycle",
            "consumed_kwh",
            "injected_kwh",
            "compensated_own_kwh",
            "compensated_received_kwh",
            "compensated_lots_kwh",
            "received_kwh",
            "credits_created_kwh",
            "credits_used_kwh",
            "credits_expired_kwh",
            "balance_kwh",
            "energy_parcel_brl",
            "parcel_without_gd_brl",
        )
    )


@pytest.mark.slow  # about 30 s for 50 examples on SQLite
class LedgerProperties(TestCase):
    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def test_energy_is_conserved_and_recomputing_changes_nothing(self, data):
        tariffs()
        draw = data.draw
        voltage = st.sampled_from([("single", "BT"), ("two", "BT"), ("three", "BT"), ("three", "MT")])
        units = [unit(p, voltage=v) for p, v in (draw(voltage) for _ in range(draw(st.integers(2, 6))))]
        plants = units[: draw(st.integers(1, min(3, len(units))))]
        for plant in plants:
            gen = generator(plant, draw(st.sampled_from(["I", "II", "III"])))
            others = [u for u in units if u != plant]
            receivers = draw(st.lists(st.sampled_from(others), unique=True, max_size=3)) if others else []
            mode = draw(st.sampled_from(["percent", "priority"]))
            if receivers and mode == "percent":
                top = 10000 // len(receivers)
                shares = [str(Decimal(draw(st.integers(1, top))) / 100) for _ in receivers]
                allocate(gen, list(zip(receivers, shares, strict=True)))
            elif receivers:
                remainder = draw(st.sampled_from([None, *receivers]))
                allocate(
                    gen,
                    [(r, i + 1) for i, r in enumerate(receivers)],
                    mode="priority",
                    remainder_to=remainder,
                )
        for holder in draw(st.lists(st.sampled_from(units), max_size=4)):
            # Old lots, some past or at their 60 months by the first cycle.
            lot(holder, draw(st.sampled_from(["2020-10", "2020-11", "2022-01", "2024-06"])), draw(kwh_values))
        for when in CYCLES:
            for each in units:
                if draw(st.booleans()) or each in plants:
                    injected = draw(kwh_values) * 2 if each in plants else 0
                    read(each, when, draw(kwh_values), injected)

        for when in CYCLES:
            compute_cycle(cycle(when))
            self.check_cycle(when)
        lots_match_entries()
        self.check_balances(CYCLES[-1])

        before = ledger_snapshot()
        for when in CYCLES:
            compute_cycle(cycle(when))
        assert ledger_snapshot() == before

        # A corrected reading in the first cycle: reversed and recomputed, the same properties hold.
        fixed = draw(st.sampled_from(units))
        read(fixed, CYCLES[0], draw(kwh_values), draw(kwh_values) if fixed in plants else 0)
        readings_changed([fixed], [cycle(CYCLES[0])])
        for when in CYCLES:
            self.check_cycle(when)
        lots_match_entries()
        self.check_balances(CYCLES[-1])

        # Reversing everything and computing again gives the same results.
        results = result_values(CYCLES)
        recompute_from(cycle(CYCLES[0]), units)
        assert result_values(CYCLES) == results
        lots_match_entries()

    def check_cycle(self, when):
        rows = CycleResult.objects.filter(cycle=cycle(when))
        injected = sum((r.injected_kwh for r in rows), Decimal(0))
        accounted = sum(
            (r.compensated_own_kwh + r.compensated_received_kwh + r.credits_created_kwh for r in rows),
            Decimal(0),
        )
        assert injected == accounted, (when, injected, accounted)
        for r in rows:
            if r.injected_kwh == 0:  # a unit that only receives keeps as credit what it did not use
                assert r.received_kwh == r.compensated_received_kwh + r.credits_created_kwh
            assert r.compensated_kwh <= r.consumed_kwh
            assert r.balance_kwh >= 0
            assert r.energy_parcel_brl <= r.parcel_without_gd_brl

    def check_balances(self, when):
        for r in CycleResult.objects.filter(cycle=cycle(when)):
            held = sum(
                CreditLot.objects.filter(installation_id=r.installation_id).values_list(
                    "remaining_kwh", flat=True
                ),
                Decimal(0),
            )
            assert r.balance_kwh == held, (r.installation_id, r.balance_kwh, held)
