"""The credit ledger against SPEC §7.2, each case worked out by hand.

Tariffs (ledger_setup.tariffs): group B residential T = 0.80 R$/kWh, Fio B 0.20, Fio A 0.05; group A
commercial T = 0.60, Fio B 0.10. So t = 0 for GD I; GD II pays 45 % of Fio B in 2025 (t = 0.09, T − t =
0.71) and 60 % in 2026 (t = 0.12, T − t = 0.68). CD = 30 / 50 / 100 kWh single / two / three-phase, 0 in MT.
E = min(available, C, max(0, (C − CD) × T / (T − t))), rounded half-up to 3 decimals;
parcel = max(CD × T, (C − E) × T + E × t); without GD = max(CD × T, C × T).
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from compensation.gd_class import gd_class, paid_share
from compensation.ledger import compute_cycle
from compensation.ledger_corrections import readings_changed
from compensation.ledger_transfers import TransferRefused, close_contract
from compensation.models import CreditLot, CycleResult, LedgerEntry

from .ledger_setup import (
    allocate,
    cycle,
    generator,
    ledger_snapshot,
    lot,
    lots_match_entries,
    read,
    result,
    tariffs,
    unit,
)

pytestmark = pytest.mark.django_db

# One generating unit alone (autoconsumo local): (case, phases, voltage, GD class, cycle, C, injected,
# compensated, parcel R$, without GD R$, credit left).
SINGLE_UNIT = [
    # The published example: 1,000 consumed and injected, three-phase GD I. E = min(1000, 1000,
    # (1000 − 100) × 0.8 / 0.8 = 900) = 900; parcel max(80.00, 100 × 0.8) = 80.00; 1000 − 900 = 100 left.
    ("published example", "three", "BT", "I", "2025-03", "1000", "1000", "900", "80.00", "800.00", "100"),
    # GD I at each phase's minimum, C = 200, injected 500: E = C − CD; parcel = CD × 0.8.
    ("GD I single", "single", "BT", "I", "2025-03", "200", "500", "170", "24.00", "160.00", "330"),
    ("GD I two", "two", "BT", "I", "2025-03", "200", "500", "150", "40.00", "160.00", "350"),
    ("GD I three", "three", "BT", "I", "2025-03", "200", "500", "100", "80.00", "160.00", "400"),
    # GD II 2025, C = 200, injected 500.
    # single: 170 × 0.8 / 0.71 = 191.5492… → 191.549; (200 − 191.549) × 0.8 + 191.549 × 0.09
    #   = 6.7608 + 17.23941 = 24.00021 → 24.00; left 500 − 191.549 = 308.451.
    (
        "GD II 2025 single",
        "single",
        "BT",
        "II",
        "2025-03",
        "200",
        "500",
        "191.549",
        "24.00",
        "160.00",
        "308.451",
    ),
    # two: 150 × 0.8 / 0.71 = 169.0140… → 169.014; 30.986 × 0.8 + 169.014 × 0.09 = 24.7888 + 15.21126
    #   = 40.00006 → 40.00; left 330.986.
    ("GD II 2025 two", "two", "BT", "II", "2025-03", "200", "500", "169.014", "40.00", "160.00", "330.986"),
    # three: 100 × 0.8 / 0.71 = 112.6760… → 112.676; 87.324 × 0.8 + 112.676 × 0.09 = 69.8592 + 10.14084
    #   = 80.00004 → 80.00; left 387.324.
    (
        "GD II 2025 three",
        "three",
        "BT",
        "II",
        "2025-03",
        "200",
        "500",
        "112.676",
        "80.00",
        "160.00",
        "387.324",
    ),
    # GD II 2026: single: 170 × 0.8 / 0.68 = 200 exactly = C; parcel 200 × 0.12 = 24.00; left 300.
    ("GD II 2026 single", "single", "BT", "II", "2026-03", "200", "500", "200", "24.00", "160.00", "300"),
    # two: 120 / 0.68 = 176.4705… → 176.471; 23.529 × 0.8 + 176.471 × 0.12 = 18.8232 + 21.17652
    #   = 39.99972, under the minimum → max(40.00, 39.99972) = 40.00; left 323.529.
    ("GD II 2026 two", "two", "BT", "II", "2026-03", "200", "500", "176.471", "40.00", "160.00", "323.529"),
    # three: 80 / 0.68 = 117.6470… → 117.647; 82.353 × 0.8 + 117.647 × 0.12 = 65.8824 + 14.11764
    #   = 80.00004 → 80.00; left 382.353.
    (
        "GD II 2026 three",
        "three",
        "BT",
        "II",
        "2026-03",
        "200",
        "500",
        "117.647",
        "80.00",
        "160.00",
        "382.353",
    ),
    # Below the minimum: C = 20 < CD = 30 → nothing compensated, the bill is the minimum 30 × 0.8 = 24.00
    # either way, and the whole injection becomes credit.
    ("below the minimum", "single", "BT", "I", "2025-03", "20", "100", "0", "24.00", "24.00", "100"),
    # Capped at consumption: GD II 2025 single, C = 300: 270 × 0.8 / 0.71 = 304.225 > C → E = 300;
    # parcel max(24.00, 0 + 300 × 0.09 = 27.00) = 27.00; left 200.
    ("capped at consumption", "single", "BT", "II", "2025-03", "300", "500", "300", "27.00", "240.00", "200"),
    # Injection short of the limit: E = 300 of a 900 limit; parcel 700 × 0.8 = 560.00; nothing left.
    ("injection short", "three", "BT", "I", "2025-03", "1000", "300", "300", "560.00", "800.00", "0"),
    # Group A (MT, no CD): E = C = 1000; parcel max(0, 0) = 0.00; without 1000 × 0.6 = 600.00; left 200.
    ("group A", "three", "MT", "I", "2025-03", "1000", "1200", "1000", "0.00", "600.00", "200"),
]


@pytest.mark.parametrize(
    "phases, voltage, gd, when, consumed, injected, compensated, parcel, without, left",
    [case[1:] for case in SINGLE_UNIT],
    ids=[case[0] for case in SINGLE_UNIT],
)
def test_one_generating_unit(
    phases, voltage, gd, when, consumed, injected, compensated, parcel, without, left
):
    tariffs()
    plant = unit(phases, voltage=voltage)
    generator(plant, gd)
    read(plant, when, consumed, injected)
    compute_cycle(cycle(when))
    row = result(plant, when)
    assert row.compensated_own_kwh == D(compensated)
    assert row.energy_parcel_brl == D(parcel)
    assert row.parcel_without_gd_brl == D(without)
    assert row.credits_created_kwh == D(left) == row.balance_kwh
    lots = list(CreditLot.objects.filter(installation=plant))
    assert [lot.remaining_kwh for lot in lots] == ([D(left)] if D(left) else [])
    if lots:
        assert lots[0].gd_class == gd and lots[0].origin_cycle == cycle(when)
        assert lots[0].expires_after == date(cycle(when).year + 5, cycle(when).month, 1)
    lots_match_entries()


def test_percentages_round_each_share_down_and_leave_the_residue_at_the_generator():
    tariffs()
    plant, r1, r2 = unit("three"), unit("single"), unit("two")
    allocate(generator(plant, "I"), [(r1, "33.33"), (r2, "33.33")])
    # Generator: C = 300, injected 1077.777 → E = 300 − 100 = 200, surplus 877.777.
    # Each share: 877.777 × 33.33 % = 292.5630… → rounded down 292.563; residue 877.777 − 2 × 292.563
    # = 292.651 stays at the generator as a lot.
    read(plant, "2025-03", "300", "1077.777")
    read(r1, "2025-03", "150")  # single: uses 150 − 30 = 120, parcel 24.00, 292.563 − 120 = 172.563 left
    read(r2, "2025-03", "400")  # two: limit 350 > 292.563 → uses all; parcel 107.437 × 0.8 = 85.9496 → 85.95
    compute_cycle(cycle("2025-03"))
    gen, one, two = result(plant, "2025-03"), result(r1, "2025-03"), result(r2, "2025-03")
    assert (gen.compensated_own_kwh, gen.credits_created_kwh, gen.energy_parcel_brl) == (
        D("200"),
        D("292.651"),
        D("80.00"),
    )
    assert (one.received_kwh, one.compensated_received_kwh, one.credits_created_kwh) == (
        D("292.563"),
        D("120"),
        D("172.563"),
    )
    assert (one.energy_parcel_brl, one.parcel_without_gd_brl) == (D("24.00"), D("120.00"))
    assert (two.received_kwh, two.compensated_received_kwh, two.credits_created_kwh) == (
        D("292.563"),
        D("292.563"),
        D("0"),
    )
    assert (two.energy_parcel_brl, two.parcel_without_gd_brl) == (D("85.95"), D("320.00"))
    # The lot made of received credits is the receiving unit's, from the generator (REN 655-G §4).
    created = LedgerEntry.objects.get(installation=r1, kind="created")
    assert (created.kwh, created.counterpart_id, created.lot.gd_class) == (D("172.563"), plant.pk, "I")
    # 1077.777 injected = 200 + 120 + 292.563 compensated + 292.651 + 172.563 credits.
    assert D("200") + D("120") + D("292.563") + D("292.651") + D("172.563") == D("1077.777")
    lots_match_entries()


@pytest.mark.parametrize(
    "remainder_to, takes_remainder",
    [(None, "r3"), ("r1", "r1")],
    ids=["to the unit that consumed most", "to the unit named"],
)
def test_priority_order_gives_each_unit_what_it_can_use_then_the_remainder(remainder_to, takes_remainder):
    tariffs()
    plant = unit("three")
    units = {"r1": unit("single"), "r2": unit("three"), "r3": unit("two")}
    allocate(
        generator(plant, "I"),
        [(units["r1"], 1), (units["r2"], 2), (units["r3"], 3)],
        mode="priority",
        remainder_to=units[remainder_to] if remainder_to else None,
    )
    # Generator: C = 100 = CD → compensates nothing (parcel 80.00), surplus 1000.
    read(plant, "2025-03", "100", "1000")
    read(units["r1"], "2025-03", "150")  # can use 150 − 30 = 120
    read(units["r2"], "2025-03", "300")  # can use 300 − 100 = 200
    read(units["r3"], "2025-03", "600")  # can use 600 − 50 = 550
    # 1000 − 120 − 200 − 550 = 130 remain: to the unit named, else to r3 (600 kWh, the most); either way it
    # cannot use more this cycle, so the 130 become a lot there.
    compute_cycle(cycle("2025-03"))
    expected = {"r1": ("120", "24.00"), "r2": ("200", "80.00"), "r3": ("550", "40.00")}
    for name, (used, parcel) in expected.items():
        row = result(units[name], "2025-03")
        assert row.compensated_received_kwh == D(used), name
        assert row.energy_parcel_brl == D(parcel), name
        assert row.credits_created_kwh == (D("130") if name == takes_remainder else 0), name
        assert row.received_kwh == D(used) + row.credits_created_kwh, name
    assert result(plant, "2025-03").credits_created_kwh == 0
    lots_match_entries()


def test_priority_capacity_follows_the_generators_class():
    tariffs()
    plant, r1 = unit("three"), unit("single")
    allocate(generator(plant, "II"), [(r1, 1)], mode="priority")
    # GD II 2025 into a single-phase unit of C = 150: 120 × 0.8 / 0.71 = 135.2112… → 135.211;
    # parcel 14.789 × 0.8 + 135.211 × 0.09 = 11.8312 + 12.16899 = 24.00019 → 24.00; the other
    # 500 − 135.211 = 364.789 go to r1 as the only unit, and become its lot.
    read(plant, "2025-03", "100", "500")
    read(r1, "2025-03", "150")
    compute_cycle(cycle("2025-03"))
    row = result(r1, "2025-03")
    assert (row.compensated_received_kwh, row.energy_parcel_brl) == (D("135.211"), D("24.00"))
    assert row.credits_created_kwh == D("364.789")
    assert CreditLot.objects.get(installation=r1).gd_class == "II"


def test_fifo_across_three_lots_of_mixed_classes():
    tariffs()
    home = unit("two")
    first, second, third = (
        lot(home, "2021-01", "50"),
        lot(home, "2022-06", "80"),
        lot(home, "2023-02", "100", "II"),
    )
    read(home, "2025-03", "250")
    # C = 250, CD 50: room (250 − 50) × 0.8 = 160.00 R$. Oldest first: 50 (GD I, room 120.00), 80 (GD I,
    # room 56.00), then GD II at t 0.09: 56 / 0.71 = 78.8732… → 78.873, leaving 21.127 in the third lot.
    # E = 208.873; parcel 41.127 × 0.8 + 78.873 × 0.09 = 32.9016 + 7.09857 = 40.00017 → 40.00.
    compute_cycle(cycle("2025-03"))
    row = result(home, "2025-03")
    assert (row.compensated_lots_kwh, row.credits_used_kwh) == (D("208.873"), D("208.873"))
    assert (row.energy_parcel_brl, row.parcel_without_gd_brl) == (D("40.00"), D("200.00"))
    assert row.balance_kwh == D("21.127")
    for made, left in ((first, "0"), (second, "0"), (third, "21.127")):
        made.refresh_from_db()
        assert made.remaining_kwh == D(left)
    assert list(LedgerEntry.objects.filter(kind="used").order_by("pk").values_list("lot_id", "kwh")) == [
        (first.pk, D("-50")),
        (second.pk, D("-80")),
        (third.pk, D("-78.873")),
    ]
    lots_match_entries()


def test_fifo_reads_past_the_first_lots_of_a_unit():
    tariffs()
    home, idle = unit("two"), unit("two")
    made = [lot(home, f"2021-0{month}", "10") for month in range(1, 7)]
    # C = 100, two-phase: limit 100 − 50 = 50 → the five oldest lots of 10 kWh, the sixth untouched (the
    # ledger reads a few lots per unit first, then more for a unit that still has room).
    read(home, "2025-03", "100")
    # Five lots at their last cycle and nothing to use them on: all five expire, 5 × 5 = 25 kWh.
    for _ in range(5):
        lot(idle, "2020-03", "5")
    compute_cycle(cycle("2025-03"))
    assert result(home, "2025-03").credits_used_kwh == D("50")
    assert [
        m.remaining_kwh for m in CreditLot.objects.filter(pk__in=[m.pk for m in made]).order_by("pk")
    ] == [
        0,
        0,
        0,
        0,
        0,
        D("10"),
    ]
    assert (result(idle, "2025-03").credits_expired_kwh, result(idle, "2025-03").balance_kwh) == (D("25"), 0)
    lots_match_entries()


def test_expiry_exactly_at_60_months_and_not_a_cycle_earlier():
    tariffs()
    home = unit("two")
    old = lot(home, "2020-03", "40")  # expires at the end of 2020-03 + 60 months = 2025-03
    compute_cycle(cycle("2025-02"))  # no reading: nothing used, nothing expires yet
    assert result(home, "2025-02").credits_expired_kwh == 0
    assert result(home, "2025-02").balance_kwh == D("40")
    read(home, "2025-03", "60")  # usable in its last cycle: 60 − 50 = 10 used, the other 30 expire
    compute_cycle(cycle("2025-03"))
    row = result(home, "2025-03")
    assert (row.credits_used_kwh, row.credits_expired_kwh, row.balance_kwh) == (D("10"), D("30"), D("0"))
    old.refresh_from_db()
    assert old.remaining_kwh == 0
    assert LedgerEntry.objects.get(kind="expired").kwh == D("-30")
    lots_match_entries()


@pytest.mark.parametrize("named", [False, True], ids=["the unit that consumed most", "the unit named"])
def test_contract_end_moves_the_lots_to_a_unit_of_the_same_titular(named):
    tariffs()
    leaving = unit("two")
    small, big = unit("two", customer=leaving.customer), unit("two", customer=leaving.customer)
    stranger = unit("two")
    lot(leaving, "2024-01", "100")
    lot(leaving, "2024-06", "50", "II")
    read(small, "2025-03", "300")
    read(big, "2025-03", "500")
    with pytest.raises(TransferRefused):
        close_contract(leaving, named=stranger, cycle=cycle("2025-03"))
    destination, moved = close_contract(leaving, named=small if named else None, cycle=cycle("2025-03"))
    expected = small if named else big
    assert (destination, moved) == (expected.pk, D("150"))
    moved_lots = CreditLot.objects.filter(installation=expected).order_by("origin_cycle")
    # Same origin, class and expiry as the lots they came from; the old lots are empty, not edited away.
    assert [(m.origin_cycle, m.gd_class, m.remaining_kwh) for m in moved_lots] == [
        (date(2024, 1, 1), "I", D("100")),
        (date(2024, 6, 1), "II", D("50")),
    ]
    assert not CreditLot.objects.filter(installation=leaving, remaining_kwh__gt=0).exists()
    assert set(
        LedgerEntry.objects.filter(kind="transferred_out").values_list("counterpart_id", flat=True)
    ) == {expected.pk}
    # The cycle computed afterwards says what left the unit; the unit that took the lots uses them (two-phase,
    # limit C − 50 covers the 150 kWh).
    read(leaving, "2025-03", "10")
    compute_cycle(cycle("2025-03"))
    left_unit, taker = result(leaving, "2025-03"), result(expected, "2025-03")
    assert (left_unit.credits_transferred_kwh, left_unit.balance_kwh) == (D("150"), 0)
    assert (taker.credits_used_kwh, taker.balance_kwh) == (D("150"), 0)
    lots_match_entries()


def test_contract_end_without_another_unit_keeps_the_credits_in_the_titulars_name_until_a_new_unit():
    tariffs()
    leaving = unit("two")
    lot(leaving, "2024-01", "100")
    destination, moved = close_contract(leaving, cycle=cycle("2025-03"))
    assert (destination, moved) == (None, D("100"))
    held = CreditLot.objects.get(installation=None)
    assert (held.customer_id, held.remaining_kwh) == (leaving.customer_id, D("100"))
    # A new unit of the same titular with a reading takes them in its first cycle and uses them: C = 120,
    # two-phase → 70 used, 30 left.
    newcomer = unit("two", customer=leaving.customer)
    read(newcomer, "2025-05", "120")
    compute_cycle(cycle("2025-05"))
    row = result(newcomer, "2025-05")
    assert (row.credits_used_kwh, row.balance_kwh) == (D("70"), D("30"))
    held.refresh_from_db()
    assert held.remaining_kwh == 0
    lots_match_entries()


def test_corrected_readings_reverse_and_recompute_every_later_cycle_and_keep_the_entries():
    tariffs()
    plant, home = unit("three"), unit("two")
    allocate(generator(plant, "I"), [(home, "100")])
    # 2025-03: generator C = 300 → uses 200 of 500, sends 300; home C = 100 uses 50, keeps a lot of 250.
    read(plant, "2025-03", "300", "500")
    read(home, "2025-03", "100")
    # 2025-04: home C = 400 uses the whole lot (limit 350 > 250): parcel 150 × 0.8 = 120.00.
    read(plant, "2025-04", "0")
    read(home, "2025-04", "400")
    compute_cycle(cycle("2025-03"))
    compute_cycle(cycle("2025-04"))
    assert result(home, "2025-04").compensated_lots_kwh == D("250")
    entries_before = LedgerEntry.objects.count()
    # The March injection is corrected to 400: 200 sent, home uses 50 and keeps 150; in April it uses 150 and
    # pays (400 − 150) × 0.8 = 200.00.
    read(plant, "2025-03", "300", "400")
    readings_changed([plant], [cycle("2025-03")])
    april = result(home, "2025-04")
    assert (april.compensated_lots_kwh, april.energy_parcel_brl, april.balance_kwh) == (
        D("150"),
        D("200.00"),
        D("0"),
    )
    assert result(home, "2025-03").credits_created_kwh == D("150")
    # Nothing deleted: every earlier entry is still there, each with its reversal.
    reversals = LedgerEntry.objects.filter(kind="reversal")
    assert reversals.count() == entries_before  # the March lot's creation and its use in April
    assert LedgerEntry.objects.filter(reversed_by__isnull=False).count() == entries_before
    assert CycleResult.objects.filter(cycle=cycle("2025-04")).count() == 2
    lots_match_entries()


def test_a_cycle_computed_twice_changes_nothing():
    tariffs()
    plant, home = unit("three"), unit("two")
    allocate(generator(plant, "II"), [(home, "60")])
    lot(home, "2021-05", "30")
    read(plant, "2025-03", "300", "800")
    read(home, "2025-03", "90")
    compute_cycle(cycle("2025-03"))
    before = ledger_snapshot()
    assert compute_cycle(cycle("2025-03")) == {"unchanged": 2}
    call_command("compute_compensation", "--cycle", "2025-03")
    assert ledger_snapshot() == before


def test_missing_tariff_stops_the_cycle_with_its_name():
    from compensation.ledger import LedgerError

    plant = unit("three")
    generator(plant, "I")
    read(plant, "2025-03", "100", "100")
    with pytest.raises(LedgerError, match="group B, class residential"):
        compute_cycle(cycle("2025-03"))
    assert not CycleResult.objects.exists()


GD_CLASSES = [
    # (requested on, kW, dispatchable, modality, percentages, class)
    (date(2023, 1, 7), "900", False, "remote", None, "I"),  # filed up to 2023-01-07
    (date(2023, 1, 8), "10", False, "local", None, "II"),
    (date(2024, 1, 1), "600", False, "remote", None, "III"),  # mini > 500 kW, non-dispatchable, remote
    (date(2024, 1, 1), "600", True, "remote", None, "II"),  # dispatchable
    (date(2024, 1, 1), "500", False, "remote", None, "II"),  # not above 500 kW
    (date(2024, 1, 1), "600", False, "shared", ["25", "75"], "III"),  # one unit holds ≥ 25 %
    (date(2024, 1, 1), "600", False, "shared", ["20"] * 5, "II"),
    (date(2024, 1, 1), "600", False, "local", None, "II"),
]


@pytest.mark.parametrize("requested_on, power, dispatchable, modality, percents, expected", GD_CLASSES)
def test_gd_class(requested_on, power, dispatchable, modality, percents, expected):
    assert (
        gd_class(
            requested_on=requested_on,
            power_kw=D(power),
            dispatchable=dispatchable,
            modality=modality,
            allocation=percents,
        )
        == expected
    )


PAID_SHARES = [
    # (class, year, requested on, Fio B share, Fio A share)
    ("I", 2045, None, "0", "0"),
    ("I", 2046, None, "1.00", "0"),
    ("II", 2023, date(2023, 3, 1), "0.15", "0"),
    ("II", 2025, date(2024, 1, 1), "0.45", "0"),
    ("II", 2026, date(2024, 1, 1), "0.60", "0"),
    ("II", 2028, date(2024, 1, 1), "0.90", "0"),
    ("II", 2029, date(2024, 1, 1), "1.00", "0"),  # art. 17's rule (the setting) from 2029
    ("II", 2029, date(2023, 3, 1), "0.90", "0"),  # filed 2023-01-08 … 2023-07-07: the table until 2030
    ("II", 2030, date(2023, 7, 7), "0.90", "0"),
    ("II", 2031, date(2023, 3, 1), "1.00", "0"),
    ("III", 2025, date(2024, 1, 1), "1.00", "0.40"),
]


@pytest.mark.parametrize("klass, year, requested_on, fio_b, fio_a", PAID_SHARES)
def test_paid_share_by_class_and_year(klass, year, requested_on, fio_b, fio_a):
    assert paid_share(klass, year, requested_on) == (D(fio_b), D(fio_a))


def test_a_case_reaching_connected_becomes_a_generator(customer, installation):
    from django.utils import timezone

    from compensation.models import Generator
    from gdportal.cases.choices import CaseState
    from gdportal.cases.models import Case
    from gdportal.cases.services import case_transition
    from tests import factories
    from tests.atende.conftest import make_case

    case = make_case(customer, installation)
    Case.objects.filter(pk=case.pk).update(
        state=CaseState.INSPECTION_REQUESTED,
        submitted_at=timezone.make_aware(timezone.datetime(2024, 2, 10, 12)),
    )
    case = Case.objects.get(pk=case.pk)
    case_transition(case.inspection_pass, by=factories.StaffFactory(), action="inspection_passed")
    made = Generator.objects.get(installation=case.installation)
    assert (made.case, made.power_kw, made.source, made.modality) == (case, D("8.5"), "solar", "local")
    assert (made.requested_on, made.gd_class, made.dispatchable) == (date(2024, 2, 10), "II", False)
    assert made.connected_on == timezone.localdate()
