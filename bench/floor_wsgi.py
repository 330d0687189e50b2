"""Benchmark-only WSGI entry (bench/under_load.py): `/_bench/wsgi` is a bare WSGI app that answers before
Django is reached (the server's and the load generator's own floor); everything else is the portal.

Each worker also adds up the CPU time (time.process_time: this process only, not PostgreSQL's) and the count of
the requests it serves per path, and writes them to GD_BENCH_CPU_DIR/<pid>.json every 20 requests: on a shared
machine a page's CPU per request is a steadier figure than its requests per second."""

import json
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "floor_settings")

from gdportal.wsgi import application as portal  # noqa: E402

BODY = b"ok"
CPU_DIR = os.environ.get("GD_BENCH_CPU_DIR")
_totals = {}
_served = 0


def _account(key, cpu):
    global _served
    count, total = _totals.get(key, (0, 0.0))
    _totals[key] = (count + 1, total + cpu)
    _served += 1
    if CPU_DIR and _served % 20 == 0:
        with open(os.path.join(CPU_DIR, f"{os.getpid()}.json"), "w") as fh:
            json.dump(_totals, fh)


def application(environ, start_response):
    start = time.process_time()
    key = environ.get("PATH_INFO", "") + (
        "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""
    )
    key += " " + environ.get("HTTP_COOKIE", "")[-12:]  # the user: each floor is per signed-in user
    if environ.get("PATH_INFO") == "/_bench/wsgi":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
        body = [BODY]
    else:
        answer = portal(environ, start_response)
        try:
            body = list(answer)
        finally:
            answer.close()  # Django's request_finished: the connection's age checked, as in production
    _account(key, time.process_time() - start)
    return body
