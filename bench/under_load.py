"""Benchmark: the pages under 20 concurrent clients as a share of the framework floor (SPEC §11, issue 15).

    python bench/orders_search.py --rows 20000 --rts 200       # loads the data once
    python bench/under_load.py --rounds 3 --seconds 8           # pages against the floor, interleaved
    python bench/under_load.py --configs sync:2 gthread:2x4     # worker classes compared in one run
    python bench/under_load.py --configs sync:2@GD_AUTH_CACHE=false sync:2   # a setting before/after
    python bench/under_load.py --json out.json                  # figures for bench/smoke.py

Starts gunicorn with the production settings (DJANGO_DEBUG=false, Redis cache, metered database, JSON access
lines, manifest static files) on 127.0.0.1 against the benchmark database, once per configuration given
(`sync:<workers>` or `gthread:<workers>x<threads>`), and drives it with Debian's `wrk` on loopback. Besides the
pages it serves two floors, from benchmark-only modules that no deployment loads (bench/floor_*.py): a bare
WSGI app (`/_bench/wsgi`, no Django at all) and a bare Django view through the same middleware with the same
signed-in user (`/_bench/floor/`). Each round measures every floor and page once, one after the other, and
each page's requests per second is divided by its user's floor *of the same round*: the machine is shared
and noisy, the ratio much less so. The median of the rounds' ratios is reported against SPEC §11's targets
(50 % for the order search, the status page and the case page; 25 % for the admin change lists; p99 < 4×
p50). `wrk` shares the two cores with gunicorn and PostgreSQL, so absolute figures are pessimistic.
"""

# bandit B310 ("nosec B310" below): urlopen is only ever given http://127.0.0.1 URLs built here.
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from _setup import ROOT, configure, machine

PORT = 8077
BENCH = ROOT / "bench"
P99_OVER_P50 = 4


def session_cookie(user, apr=False):
    """A signed-in session in the engine the server uses (SESSION_ENGINE), as a browser would hold it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "gdportal.accounts.backends.PortalBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if apr:
        store["apr_realm"] = True
    store.create()
    return store.session_key


def _ms(text):
    if text is None:
        return None
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def run_wrk(path, cookie, connections, seconds):
    headers = ["-H", "Host: 127.0.0.1"] + (["-H", f"Cookie: sessionid={cookie}"] if cookie else [])
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", *headers]
        + [f"http://127.0.0.1:{PORT}{path}"],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", out, re.M))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "p50": _ms(latency.get("50")),
        "p90": _ms(latency.get("90")),
        "p99": _ms(latency.get("99")),
        "rps": float(rps.group(1)) if rps else 0.0,
        "errors": int(errors.group(1)) if errors else 0,
    }


def bench_users():
    """The RT and the analyst of orders_search.py's load, and a customer holding some of its cases."""
    from django.contrib.auth import get_user_model

    from aprweb.models import AprOrder
    from gdportal.cases.models import Case

    User = get_user_model()
    rt = User.objects.filter(username__startswith="bench-rt-").order_by("id").first()
    if rt is None:
        raise SystemExit("no benchmark data: run bench/orders_search.py --rows 20000 --rts 200 first")
    analyst = User.objects.get(username="bench-analyst")
    own = AprOrder.objects.filter(rt=rt).order_by("id")
    sample = own[own.count() // 2]
    case = Case.objects.get(pk=sample.case_id)
    customer, _ = User.objects.update_or_create(
        username="bench-customer@bench.dev",
        defaults={"email": "bench-customer@bench.dev", "kind": "customer", "customer_id": case.customer_id},
    )
    return rt, analyst, customer, sample, case


def scenarios():
    """(name, path, who, target) — `who` names the cookie; a target is the minimum share of that user's floor."""
    rt, analyst, customer, sample, case = bench_users()
    cookies = {
        "rt": session_cookie(rt, apr=True),
        "analyst": session_cookie(analyst),
        "customer": session_cookie(customer),
    }
    pages = [
        ("floor: bare WSGI app", "/_bench/wsgi", None, None),
        ("floor: Django view · RT", "/_bench/floor/", "rt", None),
        ("floor: Django view · customer", "/_bench/floor/", "customer", None),
        ("floor: Django view · analyst", "/_bench/floor/", "analyst", None),
        ("RT search: by NS", f"/apr/pedidos/?ns={sample.ns}", "rt", 0.5),
        (
            "RT search: situação + período",
            "/apr/pedidos/?situation=technical_review&sent_from=2025-01-01&sent_to=2026-06-30",
            "rt",
            0.5,
        ),
        ("RT case page (order)", f"/apr/pedidos/{sample.pk}/", "rt", 0.5),
        ("Customer status page", "/atende/servicos/", "customer", 0.5),
        ("Customer case page", f"/atende/servicos/{case.protocol}/", "customer", 0.5),
        ("Admin orders: first page", "/admin/aprweb/aprorder/", "analyst", 0.25),
        (
            "Admin orders: situação",
            "/admin/aprweb/aprorder/?situation__exact=technical_review",
            "analyst",
            0.25,
        ),
        ("Admin cases: first page", "/admin/cases/case/", "analyst", 0.25),
    ]
    return pages, cookies


def config_env(config):
    """`sync:2@GD_AUTH_CACHE=false,X=1` → the settings' environment variables this configuration changes."""
    _, _, extra = config.partition("@")
    return dict(item.split("=", 1) for item in extra.split(",") if item)


def gunicorn_args(config):
    """`sync:4` → 4 sync workers; `gthread:2x4` → 2 workers of 4 threads each (see config_env for `@`)."""
    kind, _, size = config.partition("@")[0].partition(":")
    if kind == "gthread":
        workers, _, threads = size.partition("x")
        return ["--worker-class", "gthread", "--workers", workers, "--threads", threads or "4"]
    return ["--worker-class", "sync", "--workers", size or "2"]


def production_env():
    env = {
        key: value
        for key, value in os.environ.items()
        # The benchmark process runs with the test profile (fast hashers); the server must not.
        if key not in {"GDPORTAL_TESTING", "DJANGO_SETTINGS_MODULE", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "floor_settings",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_STATIC_ROOT": str(ROOT / "var" / "bench-static"),
            "GDPORTAL_TESTING": "false",
            "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
        }
    )
    return env


def collect_static(env):
    # With floor_settings (a manifest, no compression), as the server will read it.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**env, "PYTHONPATH": env["PYTHONPATH"]},
        check=True,
    )


def start_server(config, env, cpu_dir):
    metrics = tempfile.mkdtemp(prefix="gd-bench-metrics-")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "floor_wsgi:application", "--bind", f"127.0.0.1:{PORT}"]
        + gunicorn_args(config)
        + ["--log-level", "warning", "--access-logfile", "/dev/null"],
        cwd=ROOT,
        env={**env, **config_env(config), "PROMETHEUS_MULTIPROC_DIR": metrics, "GD_BENCH_CPU_DIR": cpu_dir},
        # The access lines (one JSON line per request, as in production) are written to a file, as a log
        # collector would take them; errors are there too.
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "var" / "bench-gunicorn.log", "w"),  # noqa: SIM115
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)  # noqa: S310  # nosec B310
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz")


def check_page(path, cookie, name):
    # A redirect to the login page would be fast and meaningless: each page must answer 200 first.
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # nosec B310
        assert response.status == 200 and response.url.endswith(path), (name, response.url)


def cpu_per_request(cpu_dir, path, cookie):
    """Milliseconds of the gunicorn workers' CPU per request of `path` (bench/floor_wsgi.py's counts)."""
    key = path + " " + (f"sessionid={cookie}" if cookie else "")[-12:]
    count = total = 0
    for name in os.listdir(cpu_dir):
        with open(os.path.join(cpu_dir, name)) as fh:
            served, seconds = json.load(fh).get(key, (0, 0.0))
        count, total = count + served, total + seconds
    return total / count * 1000 if count else None


def run_config(config, env, pages, cookies, args):
    cpu_dir = tempfile.mkdtemp(prefix="gd-bench-cpu-")
    server = start_server(config, env, cpu_dir)
    rounds = []
    try:
        for name, path, who, _ in pages:
            check_page(path, cookies.get(who), name)
        for number in range(args.rounds):
            # Each round in another order, so that no page always follows the same neighbour.
            order = pages[number % len(pages) :] + pages[: number % len(pages)]
            measured = {}
            for name, path, who, _ in order:
                measured[name] = run_wrk(path, cookies.get(who), args.connections, args.seconds)
            rounds.append(measured)
    finally:
        server.terminate()
        server.wait(timeout=30)
    cpu = {name: cpu_per_request(cpu_dir, path, cookies.get(who)) for name, path, who, _ in pages}
    return summarise(config, pages, rounds, cpu, args)


def summarise(config, pages, rounds, cpu, args):
    floors = {who: name for name, _, who, target in pages if name.startswith("floor: Django")}
    rows = []
    for name, _, who, target in pages:
        series = [r[name] for r in rounds]
        row = {
            "name": name,
            "rps": statistics.median(s["rps"] for s in series),
            # wrk prints no latency when nothing completed in the window: 0 then, and p99/p50 unknown.
            "p50": statistics.median(s["p50"] or 0 for s in series),
            "p99": statistics.median(s["p99"] or 0 for s in series),
            "errors": sum(s["errors"] for s in series),
            "target": target,
            "cpu_ms": cpu[name],
        }
        row["p99_over_p50"] = row["p99"] / row["p50"] if row["p50"] else None
        if target is not None:
            row["ratio"] = statistics.median(r[name]["rps"] / (r[floors[who]]["rps"] or 1) for r in rounds)
            if cpu[name] and cpu[floors[who]]:
                row["cpu_ratio"] = cpu[floors[who]] / cpu[name]
        rows.append(row)
    print(
        f"\n{args.connections} concurrent clients · {args.rounds} rounds × {args.seconds} s per page · "
        f"gunicorn {config} · {machine()} · load average {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| request | req/s | share of floor | target | CPU ms/req | floor's CPU ÷ page's | p50 | p99 | p99/p50 "
        "| non-2xx |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        share = f"{row['ratio']:.0%}" if "ratio" in row else "—"
        cpu_share = f"{row['cpu_ratio']:.0%}" if "cpu_ratio" in row else "—"
        target = f"≥ {row['target']:.0%}" if row["target"] else "—"
        cpu_ms = f"{row['cpu_ms']:.1f}" if row["cpu_ms"] else "?"
        spread = f"{row['p99_over_p50']:.1f}" if row["p99_over_p50"] else "?"
        print(
            f"| {row['name']} | {row['rps']:.0f} | {share} | {target} | {cpu_ms} | {cpu_share} | "
            f"{row['p50']:.1f} ms | {row['p99']:.1f} ms | {spread} | {row['errors']} |"
        )
    return {"config": config, "rows": rows}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--configs", nargs="+", default=["sync:2"])
    parser.add_argument("--json", help="write the figures here (bench/smoke.py reads them)")
    args = parser.parse_args()
    # The sessions made here must verify in gunicorn: both processes sign with the same key and share Redis.
    os.environ["DJANGO_SECRET_KEY"] = "bench-only-" + "x" * 40
    os.environ.setdefault("REDIS_URL", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"))
    configure()
    env = production_env()
    collect_static(env)
    pages, cookies = scenarios()
    results = [run_config(config, env, pages, cookies, args) for config in args.configs]
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"p99_over_p50_budget": P99_OVER_P50, "configs": results}, fh, indent=1)


if __name__ == "__main__":
    main()
