"""Benchmark: one deadline sweep over N cases falling due at once vs a single SQL UPDATE of the same rows.

    python bench/sweep.py --rows 100000

Both run in the same process on the same data: the UPDATE inside a transaction that is rolled back, then the
real sweep (events, history, outbox rows, order mirror, other clocks cancelled). Reports the ratio and the
peak memory of the sweep (the process's max RSS).
"""

# bandit B608 ("nosec B608" below): the SQL interpolates only integers and this module's constants.
import argparse
import json
import os
import resource
import time
from collections import defaultdict

from _setup import configure, machine


def load(rows):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE aprweb_aprorder, atende_documentversion, atende_caseevent, deadlines_deadline, "
            "notifications_outboundemail, atende_historicalaccessrequest, atende_accessrequest, "
            "registry_consumptionreading, registry_installation, registry_debt, registry_customer CASCADE"
        )
        cur.execute("""
            INSERT INTO registry_customer (number, name, document, person_type, email, phone, updated_at)
            SELECT '8' || lpad(g::text, 9, '0'), 'Cliente ' || g, '9' || lpad(g::text, 10, '0'), 'PF',
                   'cliente' || g || '@bench.dev', '', now() FROM generate_series(1, 1000) g""")
        cur.execute("""
            INSERT INTO registry_installation (number, customer_id, status, voltage, installation_class, phases,
                street, street_number, complement, district, municipality, state, cep, available_power_kw,
                regional_office, updated_at)
            SELECT '7' || lpad(c.id::text, 9, '0'), c.id, 'active', 'BT', 'residential', 'two', 'Rua', '1', '',
                'Centro', 'Belo Horizonte', 'MG', '30160011', 10, 'Metropolitana', now() FROM registry_customer c""")
        # (TRUNCATE … CASCADE above also empties accounts_user, which points at registry_customer.)
        from django.contrib.auth import get_user_model

        user_id = get_user_model().objects.create(username="bench-filer", email="filer@bench.dev").pk
        cur.execute(f"""
            INSERT INTO atende_accessrequest (kind, state, protocol, ns, ns_issued_at, customer_id, installation_id,
                filed_by_id, reason, holder_name, installation_class, document, cep, street, street_number,
                complement, district, municipality, uf, phone, mobile, email, latitude, longitude, power_kw, source,
                request_type, modality, requester_name, requester_phone, requester_email, other_info, declaration,
                gfc_form, gfc_bank, decision_note, grid_works_needed, answer, created_at, submitted_at, updated_at,
                state_changed_at, claim_code, flow_dispensation, coordinates_confirmed, coordinates_reason,
                fast_track_term, grid_zero)
            SELECT 'access', 'awaiting_technical', '2026' || lpad(g::text, 9, '0'),
                lpad((2000000000 + g)::text, 10, '0'), now() - interval '2 days', i.customer_id, i.id, {user_id},
                'micro_le10', 'Cliente', 'residential', '00000000000', '30160011', 'Rua', '1', '', 'Centro',
                'Belo Horizonte', 'MG', '31988887777', '', 'c' || g || '@bench.dev', -19.9, -43.9, 8.5, 'solar',
                'without_increase', 'local', 'Cliente', '31988887777', 'c@bench.dev', '', true, '', '', '', false,
                '', now(), now(), now(), now(), '', '', false, '', false, false
            FROM generate_series(1, {rows}) g
            JOIN registry_installation i ON i.id = (SELECT min(id) FROM registry_installation) + g % 1000""")  # nosec B608
        from django.contrib.contenttypes.models import ContentType

        from gdportal.cases.models import Case

        case_type = ContentType.objects.get_for_model(Case).pk
        for kind, due in (
            ("apr_register", "now() - interval '1 day'"),
            ("apr_submit", "now() + interval '1 day'"),
        ):
            cur.execute(f"""
                INSERT INTO deadlines_deadline (subject_type_id, subject_id, kind, started_at, due_at, state,
                    pause_reason, paused_days)
                SELECT {case_type}, id, '{kind}', now() - interval '2 days', {due}, 'open', '', 0
                FROM atende_accessrequest""")  # nosec B608
        cur.execute("ANALYZE")


def settle():
    """The same starting point for both timed parts: dead rows vacuumed, statistics fresh, and a checkpoint just
    taken — otherwise whichever part a checkpoint falls into pays for it (the single UPDATE measured anywhere
    from 4 to 10 s at 100,000 rows on the same machine)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute("CHECKPOINT")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--json", help="write the figures here (bench/smoke.py reads them)")
    parser.add_argument("--by-statement", action="store_true", help="also time each kind of statement")
    args = parser.parse_args()
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"  # the sweep queues sending; it does not send inline
    configure("gdportal_bench_sweep")
    from django.conf import settings
    from django.db import connection, transaction

    from gdportal.deadlines.sweep import sweep

    load(args.rows)
    settle()

    with transaction.atomic():
        start = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("""UPDATE atende_accessrequest SET state = 'expired', state_changed_at = now(),
                           updated_at = now() WHERE id IN (SELECT subject_id FROM deadlines_deadline
                           WHERE state = 'open' AND due_at <= now())""")
            updated = cur.rowcount
        single = time.perf_counter() - start
        transaction.set_rollback(True)
    # The rolled-back UPDATE left a dead copy of every row; clean it so the sweep starts from the same table.
    settle()

    # Memory is read from the process's peak RSS: tracemalloc would slow the timed run several-fold.
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    statements = []
    by_statement = defaultdict(lambda: [0, 0.0])

    def count(execute, sql, params, many, context):
        statements.append(1)  # a counter only: anything heavier would be timed with the sweep
        return execute(sql, params, many, context)

    def timed(execute, sql, params, many, context):
        # Where the sweep's time goes (its own run: the timing itself costs a little per statement).
        start = time.perf_counter()
        try:
            return count(execute, sql, params, many, context)
        finally:
            entry = by_statement[" ".join(sql.split())[:80]]
            entry[0] += 1
            entry[1] += time.perf_counter() - start

    start = time.perf_counter()
    with connection.execute_wrapper(timed if args.by_statement else count):
        result = sweep(batch_size=args.batch)
    elapsed = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from gdportal.cases.models import Case, CaseEvent
    from gdportal.notifications.models import OutboundEmail

    assert Case.objects.filter(state="expired").count() == args.rows == updated
    assert CaseEvent.objects.filter(action="expired").count() == args.rows
    assert OutboundEmail.objects.count() == args.rows
    print(
        f"\n{args.rows:,} cases due at once · batch {args.batch or settings.GD_SWEEP_BATCH_SIZE} "
        f"· {machine()}\n"
    )
    print("| | seconds | |")
    print("|---|---:|---|")
    print(f"| single SQL UPDATE of the same rows | {single:.2f} | state only |")
    print(
        f"| sweep | {elapsed:.2f} | {result.lapsed:,} clocks lapsed; events, history, outbox, other clocks |"
    )
    print(f"| ratio | {elapsed / single:.1f} | budget ≤ 3 (SPEC §11) |")
    print(f"| statements sent by the sweep | {len(statements)} | |")
    print(
        f"\nprocess peak RSS before → after the sweep: {rss_before / 1024:.0f} → {rss_after / 1024:.0f} MiB"
    )
    if args.by_statement:
        print("\n| statement | n | seconds |\n|---|---:|---:|")
        for sql, (n, seconds) in sorted(by_statement.items(), key=lambda item: -item[1][1]):
            print(f"| `{sql}` | {n} | {seconds:.2f} |")
        print(
            f"| (outside the statements: Python, commits) | | {elapsed - sum(s for _, s in by_statement.values()):.2f} |"
        )
    if args.json:
        figures = {"rows": args.rows, "single": single, "sweep": elapsed, "ratio": elapsed / single}
        figures.update(statements=len(statements), rss_before_kib=rss_before, rss_after_kib=rss_after)
        with open(args.json, "w") as fh:
            json.dump(figures, fh, indent=1)


if __name__ == "__main__":
    main()
