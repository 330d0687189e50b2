"""Benchmark: the transparency page's recomputation (gdportal/transparency/compute.py) over N clock rows, and
the page answering from its snapshot.

    python bench/transparency.py --rows 1000000               # PostgreSQL (gdportal_bench_transparency)
    python bench/transparency.py --rows 100000 --sqlite /tmp/t.sqlite3   # SQLite: the portable path

The rows are clocks only (the page reads nothing else): 12 months of the stages' kinds, 10 % still open, a
quarter of the utility's closed after their due date, a few paused; three clocks per case. Reports the
recomputation's time and query count, the process's peak RSS, and the page's queries and time.
"""

# bandit B608 ("nosec B608" below): the SQL interpolates only integers and this module's constants.
import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (kind, allowed days) — the stages' clocks as registered; only their codes matter to the computation.
KINDS = [
    ("commercial_sla", 7),
    ("apr_register", 1),
    ("apr_submit", 3),
    ("technical_sla", 7),
    ("parecer_sla", 15),
    ("inspection", 7),
    ("inspection_report", 5),
]


def configure(sqlite_path):
    if sqlite_path:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(sqlite_path).resolve()}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gdportal.settings")
        os.environ.setdefault("GDPORTAL_TESTING", "true")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    else:
        sys.path.insert(0, str(ROOT / "bench"))
        from _setup import configure as configure_postgres

        configure_postgres("gdportal_bench_transparency")


def _kind_case(column):
    whens = " ".join(f"WHEN {index} THEN '{code}'" for index, (code, _days) in enumerate(KINDS))
    return f"CASE {column} % {len(KINDS)} {whens} END"


def _allowed_case(column):
    whens = " ".join(f"WHEN {index} THEN {days}" for index, (_code, days) in enumerate(KINDS))
    return f"CASE {column} % {len(KINDS)} {whens} END"


def load(rows):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from gdportal.cases.models import Case

    case_type = ContentType.objects.get_for_model(Case).pk
    kind, allowed = _kind_case("g"), _allowed_case("g")
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("TRUNCATE deadlines_deadline, transparency_transparencysnapshot CASCADE")
            # Each row: started in the last 365 days; closed after a random share of 0–1.5× its allowed
            # days (so about a third closes late); 1 in 10 still open (its own subject, for the one-open-
            # clock-per-kind constraint); 1 in 50 paused 3 days.
            cur.execute(f"""
                INSERT INTO deadlines_deadline (subject_type_id, subject_id, kind, started_at, due_at, state,
                    closed_at, pause_reason, paused_days)
                SELECT {case_type},
                       CASE WHEN g % 10 = 0 THEN 100000000 + g ELSE g / 3 END,
                       k, s, s + a * interval '1 day',
                       CASE WHEN g % 10 = 0 THEN 'open' ELSE 'met' END,
                       CASE WHEN g % 10 = 0 THEN NULL ELSE s + a * random() * 1.5 * interval '1 day' END,
                       '', CASE WHEN g % 50 = 1 THEN 3 ELSE 0 END
                FROM (SELECT g, {kind} AS k, {allowed} AS a,
                             now() - random() * interval '365 days' AS s
                      FROM generate_series(1, {rows}) g) AS source""")  # nosec B608
            cur.execute("ANALYZE deadlines_deadline")
        else:
            cur.execute("DELETE FROM deadlines_deadline")
            cur.execute("DELETE FROM transparency_transparencysnapshot")
            # The same rows in SQLite's dialect: datetimes as Django stores them (UTC text).
            cur.execute(f"""
                WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < {rows}),
                source AS (
                    SELECT g, {kind} AS k, {allowed} AS a,
                           julianday('now') - (abs(random()) % 31536000) / 86400.0 AS s,
                           (abs(random()) % 1000) / 1000.0 AS r
                    FROM n)
                INSERT INTO deadlines_deadline (subject_type_id, subject_id, kind, started_at, due_at, state,
                    closed_at, pause_reason, paused_days)
                SELECT {case_type},
                       CASE WHEN g % 10 = 0 THEN 100000000 + g ELSE g / 3 END,
                       k,
                       strftime('%Y-%m-%d %H:%M:%f', s),
                       strftime('%Y-%m-%d %H:%M:%f', s + a),
                       CASE WHEN g % 10 = 0 THEN 'open' ELSE 'met' END,
                       CASE WHEN g % 10 = 0 THEN NULL ELSE strftime('%Y-%m-%d %H:%M:%f', s + a * r * 1.5) END,
                       '', CASE WHEN g % 50 = 1 THEN 3 ELSE 0 END
                FROM source""")  # nosec B608
            cur.execute("ANALYZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite", help="a SQLite file to use instead of PostgreSQL (the portable path)")
    parser.add_argument("--repeat", type=int, default=3, help="timed recomputations (the median is reported)")
    args = parser.parse_args()
    configure(args.sqlite)

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gdportal.transparency.services import transparency_compute

    start = time.perf_counter()
    load(args.rows)
    loaded = time.perf_counter() - start

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    timings = []
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            snapshot = transparency_compute()
            timings.append(time.perf_counter() - start)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reads = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    closed = sum(row["closed"] for stage in snapshot.figures["stages"] for row in stage["months"])
    running = sum(stage["open"] for stage in snapshot.figures["stages"])

    client = Client()
    client.get("/transparencia/")  # the process's first request loads templates and URLs: not timed
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        start = time.perf_counter()
        assert client.get("/transparencia/").status_code == 200
        cold_ms = (time.perf_counter() - start) * 1000
    page = []
    with CaptureQueriesContext(connection) as warm:
        for _ in range(20):
            start = time.perf_counter()
            assert client.get("/transparencia/").status_code == 200
            page.append((time.perf_counter() - start) * 1000)
    page.sort()

    engine = connection.vendor
    print(f"\n{args.rows:,} clock rows on {engine} (loaded in {loaded:.1f} s)")
    print(f"{closed:,} closed in the window, {running:,} cases with a clock running\n")
    print("| | value |")
    print("|---|---:|")
    print(f"| recomputation, median of {args.repeat} | {sorted(timings)[len(timings) // 2]:.2f} s |")
    print(f"| its SELECTs (one recomputation) | {len(reads)} |")
    print(f"| peak RSS before → after | {rss_before / 1024:.0f} → {rss_after / 1024:.0f} MiB |")
    print(f"| page, cache empty | {cold_ms:.0f} ms, {len(cold.captured_queries)} queries |")
    print(
        f"| page from the cache, p50 of 20 | {page[len(page) // 2]:.1f} ms, "
        f"{len(warm.captured_queries)} queries in 20 requests |"
    )


if __name__ == "__main__":
    main()
