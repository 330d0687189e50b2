import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# Whatever the machine (or CI) exports must not leak into the profile under test.
SERVICE_PREFIXES = (
    "DJANGO_",
    "DATABASE_URL",
    "REDIS_URL",
    "GDPORTAL_",
    "CELERY_",
    "EMAIL_",
    "STORAGE_",
    "AWS_",
)


def run_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES)}
    clean.update(env)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='gdportal.settings'; django.setup(); "
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.STORAGES['default']['BACKEND'], "
        "s.EMAIL_BACKEND, s.DEBUG)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_no_variables_gives_the_embedded_profile(tmp_path):
    result = run_settings(GDPORTAL_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.files.storage.FileSystemStorage",
        "gdportal.notifications.backends.MaildirBackend",
        "True",
    ]


def test_service_variables_switch_to_postgres_redis_s3_smtp(tmp_path):
    result = run_settings(
        GDPORTAL_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://u:p@db:5432/gd",
        REDIS_URL="redis://cache:6379/0",
        STORAGE_BACKEND="s3",
        EMAIL_URL="smtp://user:pw@mail:1025",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://cache:6379/0",
        "storages.backends.s3.S3Storage",
        "django.core.mail.backends.smtp.EmailBackend",
        "True",
    ]


def test_production_refuses_to_start_without_secret_key_or_hosts(tmp_path):
    no_key = run_settings(GDPORTAL_VAR_DIR=str(tmp_path), DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="x.org")
    assert no_key.returncode != 0 and "DJANGO_SECRET_KEY" in no_key.stderr
    no_hosts = run_settings(GDPORTAL_VAR_DIR=str(tmp_path), DJANGO_DEBUG="false", DJANGO_SECRET_KEY="k" * 60)
    assert no_hosts.returncode != 0 and "DJANGO_ALLOWED_HOSTS" in no_hosts.stderr


def test_storages_setting_is_used_not_the_removed_names():
    from django.conf import settings

    # Django 5.1 removed both names: set, they would be silently ignored.
    assert not hasattr(settings, "DEFAULT_FILE_STORAGE") and not hasattr(settings, "STATICFILES_STORAGE")
    assert "default" in settings.STORAGES and "staticfiles" in settings.STORAGES


def read_setting(name, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES) and k != "PORT"}
    clean.update(env)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='gdportal.settings'; django.setup(); "
        f"from django.conf import settings; print(settings.{name})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_email_links_follow_the_port_the_server_runs_on(tmp_path):
    """`PORT=18801 make run`: the one-time APR password link in the e-mail must not point at :8000."""
    assert read_setting("GDPORTAL_BASE_URL", GDPORTAL_VAR_DIR=str(tmp_path), PORT="18801") == (
        "http://127.0.0.1:18801"
    )
    assert read_setting("GDPORTAL_BASE_URL", GDPORTAL_VAR_DIR=str(tmp_path)) == "http://127.0.0.1:8000"
    production = read_setting(
        "GDPORTAL_BASE_URL",
        GDPORTAL_VAR_DIR=str(tmp_path),
        PORT="8000",
        GDPORTAL_BASE_URL="https://gd.example.org/",
    )
    assert production == "https://gd.example.org"


def make_environment(**env):
    """The environment `make run` hands its recipes (and so honcho, the web server and the worker)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES) and k != "PORT"}
    clean.update(env)
    probe = "print-base-url:\n\t@echo $$GDPORTAL_BASE_URL\n"
    result = subprocess.run(
        ["make", "--no-print-directory", "-s", "-f", "Makefile", "-f", "-", "print-base-url"],
        cwd=ROOT,
        env=clean,
        input=probe,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_make_run_exports_the_base_url_for_the_worker_too():
    # honcho gives the worker PORT+100; the e-mails it renders must still point at the web server's port.
    assert make_environment(PORT="18801") == "http://127.0.0.1:18801"
    assert make_environment() == "http://127.0.0.1:8000"
    assert (
        make_environment(PORT="18801", GDPORTAL_BASE_URL="https://gd.example.org") == "https://gd.example.org"
    )


def test_production_nodes_keep_no_state_of_their_own(tmp_path):
    """Any node may answer any request (issue 17): sessions and lockouts in PostgreSQL, cache and rate limits
    (gdportal/ratelimit.py, DRF's throttles, gdportal/cache.py) in Redis, Idempotency-Key answers in a table
    (gdportal/api/models.py), files in the storage backend — nothing in a node's memory or disk."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES)}
    clean.update(
        GDPORTAL_VAR_DIR=str(tmp_path),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="k" * 60,
        DJANGO_ALLOWED_HOSTS="gd.example.org",
        DATABASE_URL="postgres://u:p@db:5432/gd",
        REDIS_URL="redis://cache:6379/0",
        STORAGE_BACKEND="s3",
    )
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='gdportal.settings'; django.setup(); "
        "from django.conf import settings as s; from axes.conf import settings as a; "
        "from gdportal.api.models import IdempotentAnswer; "
        "print(s.SESSION_ENGINE, s.CACHES['default']['BACKEND'], a.AXES_HANDLER, "
        "s.STORAGES['default']['BACKEND'], IdempotentAnswer._meta.db_table, s.MESSAGE_STORAGE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    session, cache, lockouts, files, idempotency, messages = result.stdout.split()
    # Sessions are rows in PostgreSQL, read through a Redis copy (gdportal/sessions.py, issue 15).
    assert session == "gdportal.sessions"
    # Django's Redis cache (in production counting its gets for Prometheus: gdportal/metrics.py).
    from django.core.cache.backends.redis import RedisCache
    from django.utils.module_loading import import_string

    assert issubclass(import_string(cache), RedisCache)
    assert lockouts == "axes.handlers.database.AxesDatabaseHandler"
    assert files == "storages.backends.s3.S3Storage"
    assert idempotency == "api_idempotentanswer"
    # Flash messages ride in a cookie, or in the session when too large: with the client, not the node.
    assert messages == "django.contrib.messages.storage.fallback.FallbackStorage"


def test_production_meters_queries_and_cache_gets_for_prometheus(tmp_path):
    production = dict(
        GDPORTAL_VAR_DIR=str(tmp_path),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="k" * 60,
        DJANGO_ALLOWED_HOSTS="x.org",
        DATABASE_URL="postgres://u:p@db:5432/gd",
        REDIS_URL="redis://cache:6379/0",
    )
    result = run_settings(**production)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django_prometheus.db.backends.postgresql"
    off = run_settings(**production, GD_METRICS_DB="false")
    assert off.stdout.split()[0] == "django.db.backends.postgresql"


def test_transaction_pooling_turns_server_side_cursors_off(tmp_path):
    # Behind PgBouncer in transaction pooling a cursor must not outlive its transaction (deploy/README.md).
    base = {"GDPORTAL_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://u:p@pgbouncer:6432/gd"}
    name = "DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS']"
    assert read_setting(name, **base) == "False"
    assert read_setting(name, DATABASE_TRANSACTION_POOLING="true", **base) == "True"
