"""Benchmark: one cycle of the credit ledger (SPEC §11: 100,000 generating units × 3 receiving units, 60
cycles of lots behind them, in under 2 minutes in bounded memory).

    python bench/ledger.py --units 100000          # the budget's size
    python bench/ledger.py --units 500             # a smoke run

Loads, set-based: one titular per generating unit (three-phase, GD II, C 500 / injected 2,000 kWh in
2026-03) with three receiving units at 30 % each (autoconsumo remoto; the other 10 % and the rounding residue
stay at the generator as a lot): a two-phase unit that consumes little (keeps a lot of what it receives), a
two-phase unit that uses what it receives and part of one lot, and a three-phase unit that uses one lot and
part of the next. Every unit has a lot of 100 kWh from each of the 60 previous cycles (written in cycle order,
as the months would have written them), each with its `created` entry, so the oldest one expires in the
cycle computed, and the previous cycle's result with its balance. Then times `compute_cycle` (the process's
peak RSS before and after), checks in SQL that injected = compensated + credits created, and times a second
run (nothing to do: every unit already computed with the same reading).
"""

import argparse
import resource
import time

from _setup import configure, machine

CYCLE = "2026-03-01"
LOTS_FROM = "2021-03-01"  # CYCLE − 60 months: expires at the end of CYCLE


def load(units, lots_per_unit):
    from django.db import connection

    steps = []

    def timed(cur, sql):
        start = time.perf_counter()
        cur.execute(sql)
        steps.append((" ".join(sql.split())[:40], time.perf_counter() - start))

    total = units * 4
    with connection.cursor() as cur:
        # The rows are consistent by construction: skip the per-row foreign-key triggers while loading (the
        # timed run has them, as production does).
        cur.execute("SET session_replication_role = replica")
        cur.execute(
            "TRUNCATE compensation_ledgerentry, compensation_creditlot, compensation_cycleresult, "
            "compensation_reading, compensation_allocation, compensation_allocationset, "
            "compensation_generator, compensation_tariff, registry_installation, registry_customer CASCADE"
        )
        timed(
            cur,
            """
            INSERT INTO compensation_tariff (valid_from, "group", installation_class, te, tusd, fio_a, fio_b)
            VALUES ('2020-01-01', 'B', 'residential', 0.40, 0.40, 0.05, 0.20)""",
        )
        timed(
            cur,
            f"""
            INSERT INTO registry_customer (number, name, document, person_type, email, phone, updated_at)
            SELECT '8' || lpad(g::text, 9, '0'), 'Titular ' || g, '9' || lpad(g::text, 10, '0'), 'PF', '', '', now()
            FROM generate_series(1, {units}) g""",
        )
        # Installation i: titular (i - 1) / 4 + 1; role (i - 1) % 4: 0 the generator, 1..3 the receivers.
        timed(
            cur,
            f"""
            INSERT INTO registry_installation (number, customer_id, status, voltage, installation_class, phases,
                street, street_number, complement, district, municipality, state, cep, available_power_kw,
                regional_office, updated_at)
            SELECT '6' || lpad(i::text, 9, '0'), c.id, 'active', 'BT', 'residential',
                   CASE (i - 1) % 4 WHEN 0 THEN 'three' WHEN 3 THEN 'three' ELSE 'two' END,
                   'Rua', '1', '', 'Centro', 'Belo Horizonte', 'MG', '30160011', 10, 'Metropolitana', now()
            FROM generate_series(1, {total}) i
            JOIN registry_customer c ON c.number = '8' || lpad(((i - 1) / 4 + 1)::text, 9, '0')""",
        )
        timed(
            cur,
            """
            CREATE TEMP TABLE bench_units AS
            SELECT id, customer_id, (row_number() OVER (ORDER BY id) - 1) % 4 AS role,
                   (row_number() OVER (ORDER BY id) - 1) / 4 AS grp FROM registry_installation""",
        )
        timed(
            cur,
            """
            INSERT INTO compensation_generator (installation_id, connected_on, power_kw, source, modality,
                requested_on, dispatchable, gd_class, created_at)
            SELECT id, '2021-01-01', 10, 'solar', 'remote', '2024-05-02', false, 'II', now()
            FROM bench_units WHERE role = 0""",
        )
        timed(
            cur,
            """
            INSERT INTO compensation_allocationset (generator_id, mode, status, first_cycle, requested_at,
                refusal_reason, imported, contact_name, contact_phone, contact_mobile, contact_email,
                legal_instrument, legal_instrument_name, legal_instrument_sha256, legal_form, unit_type, voltage)
            SELECT g.id, 'percent', 'accepted', '2021-01-01', now(), '', true, '', '', '', '', '', '', '', '', '', ''
            FROM compensation_generator g""",
        )
        timed(
            cur,
            """
            INSERT INTO compensation_allocation (allocation_set_id, installation_id, percent)
            SELECT s.id, r.id, 30.00
            FROM compensation_allocationset s
            JOIN compensation_generator g ON g.id = s.generator_id
            JOIN bench_units gu ON gu.id = g.installation_id
            JOIN bench_units r ON r.grp = gu.grp AND r.role > 0""",
        )
        timed(
            cur,
            f"""
            INSERT INTO compensation_reading (installation_id, cycle, consumed_kwh, injected_kwh, imported_at)
            SELECT id, '{CYCLE}', CASE role WHEN 0 THEN 500 WHEN 1 THEN 200 WHEN 2 THEN 520 ELSE 600 END,
                   CASE role WHEN 0 THEN 2000 ELSE 0 END, now()
            FROM bench_units""",
        )
        timed(
            cur,
            f"""
            INSERT INTO compensation_creditlot (installation_id, customer_id, origin_cycle, gd_class, requested_on,
                expires_after, remaining_kwh)
            SELECT u.id, u.customer_id, o.origin, 'II', '2024-05-02', o.origin + interval '60 months', 100
            FROM generate_series(DATE '{CYCLE}' - interval '{lots_per_unit} months',
                                 DATE '{CYCLE}' - interval '1 month', interval '1 month') AS o(origin)
            CROSS JOIN bench_units u
            ORDER BY o.origin, u.id""",
        )
        timed(
            cur,
            f"""
            INSERT INTO compensation_cycleresult (installation_id, cycle, consumed_kwh, injected_kwh,
                compensated_own_kwh, compensated_received_kwh, compensated_lots_kwh, received_kwh,
                credits_created_kwh, credits_used_kwh, credits_expired_kwh, credits_transferred_kwh, balance_kwh,
                energy_parcel_brl, parcel_without_gd_brl, computed_at)
            SELECT id, DATE '{CYCLE}' - interval '1 month', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, {lots_per_unit} * 100,
                   0, 0, now()
            FROM bench_units""",
        )
        timed(
            cur,
            """
            INSERT INTO compensation_ledgerentry (lot_id, installation_id, cycle, kind, kwh, created_at)
            SELECT id, installation_id, origin_cycle, 'created', remaining_kwh, now()
            FROM compensation_creditlot ORDER BY id""",
        )
        cur.execute("DROP TABLE bench_units")
        cur.execute("SET session_replication_role = origin")
    # VACUUM outside a transaction: sets the visibility map, as autovacuum would have over 60 months.
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cur:
        timed(cur, "VACUUM ANALYZE")
    print("load: " + ", ".join(f"{name}… {seconds:.0f} s" for name, seconds in steps))


def energy_check(cycle):
    """Injected = compensated at the generators + compensated by the receivers + credits created (SQL)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*), SUM(injected_kwh), SUM(compensated_own_kwh + compensated_received_kwh "
            "+ credits_created_kwh), SUM(credits_used_kwh), SUM(credits_expired_kwh) "
            "FROM compensation_cycleresult WHERE cycle = %s",
            [cycle],
        )
        return cur.fetchone()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000, help="generating units (each with 3 receivers)")
    parser.add_argument("--lots", type=int, default=60, help="cycles of lots behind every unit")
    parser.add_argument("--chunk", type=int, default=None, help="generating units per transaction")
    parser.add_argument("--skip-load", action="store_true", help="reuse the data loaded by the last run")
    args = parser.parse_args()
    configure("gdportal_bench_ledger")
    from datetime import date

    from django.conf import settings
    from django.db import connection

    from compensation.ledger import compute_cycle

    cycle = date.fromisoformat(CYCLE)
    if args.skip_load:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM compensation_cycleresult WHERE cycle = %s", [cycle])
        print("reusing the loaded data (its lots already reflect one run: compare with care)")
    else:
        start = time.perf_counter()
        load(args.units, args.lots)
        print(f"loaded in {time.perf_counter() - start:.0f} s")
    connection.close()  # the timed run starts on a fresh connection, in transactions again

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM compensation_creditlot")
        lots = cur.fetchone()[0]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    stats = compute_cycle(cycle, chunk_size=args.chunk)
    elapsed = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    again = compute_cycle(cycle, chunk_size=args.chunk)
    second = time.perf_counter() - start

    rows, injected, accounted, used, expired = energy_check(cycle)
    assert rows == args.units * 4 == stats.get("computed"), (rows, stats)
    assert injected == accounted, (injected, accounted)
    assert again == {"unchanged": rows}, again
    print(
        f"\n{args.units:,} generating units × 3 receiving units ({rows:,} units), {lots:,} lots behind them · "
        f"chunk {args.chunk or settings.GD_LEDGER_CHUNK_SIZE} · {machine()}\n"
    )
    print("| | seconds | |")
    print("|---|---:|---|")
    print(
        f"| compute_cycle {CYCLE[:7]} | {elapsed:.1f} | {rows:,} units; {used:,.0f} kWh of lots used, "
        f"{expired:,.0f} kWh expired; injected = compensated + credits ({injected:,.3f} kWh) |"
    )
    print(f"| the same cycle again | {second:.1f} | every unit unchanged |")
    print(
        f"\nprocess peak RSS before → after the cycle: {rss_before / 1024:.0f} → {rss_after / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
