"""Where a page's CPU goes: cProfile over N requests in one process with the production settings.

    python bench/profile_page.py /apr/pedidos/ --as rt -n 200 [--sort tottime]

Run after bench/orders_search.py's load. Uses the same users, sessions and settings as bench/under_load.py
(DEBUG off, Redis cache, metered database, JSON logs), through Django's test client with the cookie set,
so the middleware, the session, the user, the view and the templates are all in the profile.
"""

import argparse
import cProfile
import os
import pstats
import subprocess
import sys

from _setup import ROOT, configure


def child(path, cookie, n, sort):
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = cookie
    for _ in range(5):
        assert client.get(path).status_code == 200
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(n):
        client.get(path)
    profile.disable()
    stats = pstats.Stats(profile)
    total = stats.total_tt
    print(f"{path}: {total / n * 1000:.1f} ms of CPU per request under the profiler ({n} requests)")
    stats.sort_stats(sort).print_stats(35)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--as", dest="who", default="rt", choices=["rt", "customer", "analyst"])
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--child-cookie")
    args = parser.parse_args()
    if args.child_cookie:
        return child(args.path, args.child_cookie, args.n, args.sort)
    os.environ["DJANGO_SECRET_KEY"] = "bench-only-" + "x" * 40
    os.environ.setdefault("REDIS_URL", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"))
    configure()
    from under_load import bench_users, collect_static, production_env, session_cookie

    rt, analyst, customer, *_ = bench_users()
    user = {"rt": rt, "analyst": analyst, "customer": customer}[args.who]
    cookie = session_cookie(user, apr=args.who == "rt")
    env = production_env()
    collect_static(env)
    env["DJANGO_SETTINGS_MODULE"] = "floor_settings"
    env["GDPORTAL_JSON_LOGS"] = "true"
    subprocess.run(
        [
            sys.executable,
            __file__,
            args.path,
            "-n",
            str(args.n),
            "--sort",
            args.sort,
            "--child-cookie",
            cookie,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stderr=subprocess.DEVNULL,
    )


if __name__ == "__main__":
    main()
