"""`make bench-smoke`: every benchmark in bench/ at a small size, failing on a regression (issue 15).

    python bench/smoke.py            # PostgreSQL at BENCH_DATABASE_URL's server (gdportal_bench* databases)

A few seconds each, about a minute and a half in all. It fails when
- a page's query count grows with the data: the order search, the admin lists, the status and case pages
  (orders_search.py at two sizes), the transparency recomputation and page (transparency.py at two sizes), or
  the deadline sweep's statements for one batch (sweep.py at two sizes, each in one batch);
- a share of the framework floor (under_load.py, one short round; the CPU per request of the gunicorn
  workers, steadier than requests per second on a shared machine) falls below half of what bench/README.md
  records — SMOKE_FLOOR_SHARE below; SPEC §11's targets are higher and the README says which pages meet them;
- the sweep takes more than twice its budget (3× the single UPDATE), the ledger's own consistency checks fail
  (injected = compensated + credits; the same cycle twice changes nothing), or any benchmark errors or answers
  non-2xx. bench/checks.py is not run: it builds its 1,354-page PDF in a database of its own first.
Ratios at these sizes are noisy; the margins are wide so that only a real regression trips them.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

# Half of the floor share measured for bench/README.md (CPU of the workers: the floor view's ÷ the page's).
SMOKE_FLOOR_SHARE = {
    "RT search: by NS": 0.09,
    "RT search: situação + período": 0.09,
    "RT case page (order)": 0.06,
    "Customer status page": 0.05,
    "Customer case page": 0.05,
    "Admin orders: first page": 0.02,
    "Admin orders: situação": 0.02,
    "Admin cases: first page": 0.02,
}
# At 8,000 rows the sweep's fixed cost per statement still weighs: 5.9× at 3,000 rows and 2.3× at 20,000 on the
# loaded machine (bench/README.md); twice SPEC's 3× leaves room for that and for the machine.
SWEEP_RATIO_LIMIT = 2 * 3

failures = []


def run(name, *args):
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(BENCH / args[0]), *args[1:]], cwd=ROOT, capture_output=True, text=True
    )
    took = time.perf_counter() - start
    print(f"· {name}: {took:.1f} s{'' if result.returncode == 0 else ' — FAILED'}", flush=True)
    if result.returncode != 0:
        failures.append(f"{name} exited {result.returncode}:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    return result.stdout


def same_counts(what, small, large):
    for name, count in small.items():
        if large.get(name, count) > count:
            failures.append(
                f"{what} — {name}: {count} queries at the small size, {large[name]} at the large one"
            )


def main():
    # One database for every script (each loads its own rows): migrated once, not once per benchmark.
    os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gdportal_bench_smoke")
    tmp = Path(tempfile.mkdtemp(prefix="gd-bench-smoke-"))
    started = time.perf_counter()

    sizes = {}
    for rows in (1000, 3000):
        out = tmp / f"orders-{rows}.json"
        run(
            f"orders_search.py --rows {rows}",
            "orders_search.py",
            "--rows",
            str(rows),
            "--rts",
            "10",
            "--repeat",
            "1",
            "--warmup",
            "1",
            "--json",
            str(out),
        )
        if out.exists():
            sizes[rows] = json.loads(out.read_text())["queries"]
    if len(sizes) == 2:
        same_counts("order search / admin lists / status pages", sizes[1000], sizes[3000])

    out = tmp / "under_load.json"
    run("under_load.py (1 round)", "under_load.py", "--rounds", "1", "--seconds", "1", "--json", str(out))
    if out.exists():
        for row in json.loads(out.read_text())["configs"][0]["rows"]:
            if row["errors"]:
                failures.append(f"under load — {row['name']}: {row['errors']} non-2xx answers")
            floor = SMOKE_FLOOR_SHARE.get(row["name"])
            share = row.get("cpu_ratio")
            if floor is not None and share is not None and share < floor:
                failures.append(
                    f"under load — {row['name']}: {share:.0%} of the floor's CPU share, smoke minimum {floor:.0%}"
                )

    statements = {}
    for rows in (2000, 8000):
        out = tmp / f"sweep-{rows}.json"
        # One batch each: the statements per batch must not grow with the batch's rows.
        run(
            f"sweep.py --rows {rows}", "sweep.py", "--rows", str(rows), "--batch", "10000", "--json", str(out)
        )
        if out.exists():
            figures = json.loads(out.read_text())
            statements[rows] = figures["statements"]
            if rows == 8000 and figures["ratio"] > SWEEP_RATIO_LIMIT:
                failures.append(
                    f"sweep: {figures['ratio']:.1f}× the single UPDATE, smoke limit {SWEEP_RATIO_LIMIT}×"
                )
    if len(statements) == 2 and statements[8000] > statements[2000]:
        failures.append(
            f"sweep: {statements[2000]} statements for 2,000 cases, {statements[8000]} for 8,000 (one batch)"
        )

    counts = {}
    for rows in (1000, 3000):
        text = run(f"transparency.py --rows {rows}", "transparency.py", "--rows", str(rows), "--repeat", "1")
        selects = re.search(r"its SELECTs[^|]*\|\s*(\d+)", text)
        page = re.search(r"page, cache empty \|[^|]*?(\d+) quer", text)
        if selects and page:
            counts[rows] = {"recomputation": int(selects.group(1)), "page": int(page.group(1))}
    if len(counts) == 2:
        same_counts("transparency", counts[1000], counts[3000])

    # checks.py is left out: it drops and migrates a database of its own and writes a 1,354-page PDF first
    # (about a minute before its first figure); run it by hand when the document checks change.
    run("ledger.py --units 20", "ledger.py", "--units", "20", "--lots", "3")

    print(f"\nbench smoke: {time.perf_counter() - started:.0f} s, {len(failures)} failure(s)")
    for failure in failures:
        print(f"\nFAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
