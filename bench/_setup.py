"""Shared setup for the benchmarks: a dedicated PostgreSQL database, migrated, with Django configured."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(dbname="gdportal_bench"):
    base = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{dbname}")
    dbname = base.rsplit("/", 1)[1]
    os.environ["DATABASE_URL"] = base
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gdportal.settings")
    os.environ.setdefault("GDPORTAL_TESTING", "true")  # fast hashers, in-process tasks, CAPTCHA test mode
    import psycopg

    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def machine():
    import platform

    cpus = os.cpu_count()
    with open("/proc/meminfo") as fh:
        mem_kb = int(fh.readline().split()[1])
    return f"{platform.processor() or platform.machine()}, {cpus} cores, {mem_kb / 1024 / 1024:.0f} GiB RAM"
