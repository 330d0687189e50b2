"""Benchmark: the order search and the admin list under 20 concurrent clients (SPEC §11).

    python bench/orders_search.py --rows 1000000   # loads the data once
    python bench/under_load.py --connections 20 --seconds 20
    python bench/under_load.py --configs sync:4 gthread:2x4   # worker classes compared in one run

Starts gunicorn (production settings; by default 4 sync workers) on 127.0.0.1 against the benchmark database, once
per configuration given (`sync:<workers>` or `gthread:<workers>x<threads>`), and drives
it with Debian's `wrk` on loopback, bounded in time. The load generator shares the machine's two cores with
gunicorn and PostgreSQL, so these figures are pessimistic.
"""

# bandit B310 ("nosec B310" below): urlopen is only ever given http://127.0.0.1 URLs built here.
import argparse
import os
import re
import subprocess
import sys
import time
import urllib.request

from _setup import ROOT, configure, machine

PORT = 8077


def session_cookie(user, apr=False):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "gdportal.accounts.backends.PortalBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if apr:
        store["apr_realm"] = True
    store.create()
    return store.session_key


def run_wrk(path, cookie, connections, seconds):
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "-H",
            f"Cookie: sessionid={cookie}",
            "-H",
            "Host: 127.0.0.1",
            f"http://127.0.0.1:{PORT}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", out, re.M))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return latency, rps.group(1) if rps else "?", errors.group(1) if errors else "0"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--configs", nargs="+", default=["sync:4"])
    args = parser.parse_args()
    # The sessions made here must verify in gunicorn: both processes sign with the same key.
    os.environ["DJANGO_SECRET_KEY"] = "bench-only-" + "x" * 40
    configure()
    from django.contrib.auth import get_user_model

    from aprweb.models import AprOrder

    User = get_user_model()
    rt = User.objects.filter(username__startswith="bench-rt-").order_by("id").first()
    analyst = User.objects.get(username="bench-analyst")
    own = AprOrder.objects.filter(rt=rt).order_by("id")
    sample = own[own.count() // 2]
    rt_cookie, admin_cookie = session_cookie(rt, apr=True), session_cookie(analyst)
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
    }
    scenarios = [
        ("RT: by NS", f"/apr/pedidos/?ns={sample.ns}", rt_cookie),
        (
            "RT: situação + período",
            "/apr/pedidos/?situation=technical_review&sent_from=2026-01-01&sent_to=2026-06-30",
            rt_cookie,
        ),
        ("Admin orders: first page", "/admin/aprweb/aprorder/", admin_cookie),
        ("Admin orders: situação", "/admin/aprweb/aprorder/?situation__exact=technical_review", admin_cookie),
    ]
    for config in args.configs:
        run_config(config, env, scenarios, args)


def gunicorn_args(config):
    """`sync:4` → 4 sync workers; `gthread:2x4` → 2 workers of 4 threads each."""
    kind, _, size = config.partition(":")
    if kind == "gthread":
        workers, _, threads = size.partition("x")
        return ["--worker-class", "gthread", "--workers", workers, "--threads", threads or "4"]
    return ["--worker-class", "sync", "--workers", size or "4"]


def run_config(config, env, scenarios, args):
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gdportal.wsgi:application", "--bind", f"127.0.0.1:{PORT}"]
        + gunicorn_args(config)
        + ["--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)  # noqa: S310  # nosec B310
                break
            except OSError:
                time.sleep(0.3)
        print(
            f"\n{args.connections} concurrent clients · {args.seconds} s each · gunicorn {config} · {machine()}\n"
        )
        print("| request | p50 | p90 | p99 | req/s | non-2xx |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, path, cookie in scenarios:
            # A redirect to the login page would be fast and meaningless: each page must answer 200 first.
            request = urllib.request.Request(
                f"http://127.0.0.1:{PORT}{path}", headers={"Cookie": f"sessionid={cookie}"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # nosec B310
                assert response.status == 200 and response.url.endswith(path), (name, response.url)
            latency, rps, errors = run_wrk(path, cookie, args.connections, args.seconds)
            print(
                f"| {name} | {latency.get('50')} | {latency.get('90')} | {latency.get('99')} | {rps} | {errors} |"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
