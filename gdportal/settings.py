"""GD Portal settings, read from the environment.

With no variables set this is the embedded profile (`make run` on a bare machine): SQLite in WAL mode, files
on disk under var/, Celery over kombu's filesystem transport, e-mails written to var/mail and readable at a
DEBUG-only page. With DATABASE_URL / REDIS_URL / STORAGE_BACKEND=s3 the same file runs production services.
Production (DJANGO_DEBUG=false) refuses to start without a secret key and allowed hosts, rather than
defaulting them (cookiecutter-django does the same).
"""

import os
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GDPORTAL_VAR_DIR", BASE_DIR / "var"))


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=()):
    value = os.environ.get(name)
    if not value:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=True)
# Under pytest (or when a test starts a worker) swap in fast hashers and plain static storage.
TESTING = env_bool("GDPORTAL_TESTING", default=False) or "pytest" in sys.modules

SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is false.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is false.")
else:
    # Development only: a fixed key is fine because DEBUG never runs in production (see above).
    SECRET_KEY = SECRET_KEY or "django-insecure-gdportal-development-only-key-0123456789abcdef"  # noqa: S105
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "gdportal.admin_apps.PortalAdminConfig",  # django.contrib.admin with optional staff MFA
    "django.contrib.auth",
    # After contrib.auth: its post_migrate hook must create permissions before ours assigns them to groups.
    "gdportal.accounts",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "captcha",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files served from static/, no CDN
    "gdportal.registry",
    "gdportal.notifications",
    "gdportal.deadlines",
    "gdportal.cases",
    "gdportal.generation",
    "gdportal.api",
    "gdportal.webhooks",
    "gdportal.transparency",
    "gdportal.web",
    "atende",
    "aprweb",
    "parecer",
    "compensation",
]

MIDDLEWARE = [
    # First: the request id and the access line cover every answer, refusals and redirects included.
    "gdportal.requestid.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "gdportal.middleware.UploadGuardMiddleware",  # before anything reads request.POST (CSRF does)
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Before Axes, so that it counts the answer Axes may have replaced (its process_response runs later).
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Axes last, as its documentation requires: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gdportal.urls"
WSGI_APPLICATION = "gdportal.wsgi.application"
ASGI_APPLICATION = "gdportal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------------------
if env("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60, conn_health_checks=True)
    }
    # Behind PgBouncer in transaction pooling (deploy/README.md, capacity plan) a server-side cursor opened in
    # one transaction may be looked for in another server connection: Django's documented setting for it.
    # Celery's worker and beat keep a direct (or session-pooled) URL: gdportal/locks.py holds session locks.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_TRANSACTION_POOLING", False)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # IMMEDIATE + WAL: the web process and the Celery worker write the same file; without these the
            # second writer gets "database is locked" instead of waiting.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (lockouts and rate limits must be shared by every process) -------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # The cache is an optimisation (gdportal/cache.py falls back to the database): a Redis that stops
            # answering must cost a request a second, not the kernel's connect timeout.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }

# Parts of the signed-in pages kept rendered in each process's memory, under the values they show
# (gdportal/web/templatetags/fragments.py, issue 15): at most this many characters (a results row is ~1,000,
# so ~4,000 rows); 0 renders everything every time.
GD_FRAGMENT_CACHE_CHARS = env_int("GD_FRAGMENT_CACHE_CHARS", 4_000_000)

# --- Accounts and security --------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "gdportal.accounts.backends.PortalBackend",
]
PRODUCTION_PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Argon2 is slow by design; tests would spend minutes hashing. Production never sets GDPORTAL_TESTING.
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"] if TESTING else PRODUCTION_PASSWORD_HASHERS
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours: a locked account opens again after 15 minutes
# Lock the (identifier, address) pair: locking the address alone would let one attacker behind a carrier NAT
# lock out a whole city; locking the identifier alone would let anyone lock a known user out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
# Behind a reverse proxy set this to the number of proxies, or every request looks like the proxy's address.
# gdportal.clientip reads it: the lockout and every rate limit take the client's address by that one rule.
AXES_IPWARE_PROXY_COUNT = env_int("AXES_IPWARE_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "gdportal.clientip.client_ip"
# Failures count under the key the login looks the account up by ("BF.Staff" and "bf.staff" are one account).
AXES_USERNAME_CALLABLE = "gdportal.accounts.identifiers.axes_username"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
# With Redis, a signed-in request reads its session and its user from the cache instead of two queries
# (issue 15, bench/README.md): gdportal/sessions.py and PortalBackend.get_user, both falling back to the
# database when Redis fails. The database stays the record; the cached copies live this many seconds (a
# logout or a deactivation while Redis is unreachable is seen by the cache at most this late).
GD_AUTH_CACHE = env_bool("GD_AUTH_CACHE", bool(REDIS_URL))
SESSION_ENGINE = "gdportal.sessions" if GD_AUTH_CACHE else "django.contrib.sessions.backends.db"
SESSION_CACHE_SECONDS = env_int("SESSION_CACHE_SECONDS", 300)
GD_USER_CACHE_SECONDS = env_int("GD_USER_CACHE_SECONDS", 60) if GD_AUTH_CACHE else 0
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"  # the inline document viewer opts in with @xframe_options_sameorigin
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Everything is served from this host: no CDN, no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
    }
}

# --- Internationalisation ---------------------------------------------------------------------------------
LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", "Português (Brasil)"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False
# dd/mm/aaaa HH:MM wherever Django formats a date itself (the admin's read-only fields, `{{ value }}`).
FORMAT_MODULE_PATH = ["gdportal.formats"]

# --- Static and uploaded files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", VAR_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# Uploaded files are private: there is deliberately no MEDIA_URL route; every download goes through a view
# that checks the user may see the case.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGE_BACKEND = env("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME", "gdportal"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL"),
            "region_name": env("AWS_S3_REGION_NAME"),
            # The backend's default overwrites a key that already exists; a document version must never be
            # overwritten.
            "file_overwrite": False,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }
    # boto3 >= 1.36 sends checksums that S3-compatible stores (MinIO, moto) may reject.
    os.environ.setdefault("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
    os.environ.setdefault("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads larger than this are spooled to disk by Django instead of being held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail -----------------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "GD Portal <nao-responda@gdportal.dev>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[GD Portal] "
EMAIL_MESSAGES_DIR = VAR_DIR / "mail"


def _email_from_url(url):
    parsed = urlparse(url)
    settings = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or 25,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": parsed.scheme in {"smtp+tls", "submission"},
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
    }
    if parsed.scheme == "console":
        settings["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
    return settings


if env("EMAIL_URL"):
    globals().update(_email_from_url(env("EMAIL_URL")))
elif env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
else:
    # One .eml file per message, listed at /dev/emails/ while DEBUG is on.
    EMAIL_BACKEND = "gdportal.notifications.backends.MaildirBackend"
EMAIL_TIMEOUT = 20

# --- Celery -----------------------------------------------------------------------------------------------
# Web requests publish after commit (gdportal/publish.py) and must answer even when the broker is gone: fail
# fast, the outbox row stays queued and the beat job sends it. Seconds per connection attempt.
BROKER_CONNECT_TIMEOUT = float(env("CELERY_BROKER_CONNECT_TIMEOUT", "3"))
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_CONNECT_TIMEOUT
# Celery's default is three retries 0.2 s apart; one is enough before leaving the row to the periodic resend.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    _celery_dir = VAR_DIR / "celery"
    for _sub in ("out", "processed"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "out"),
        "data_folder_out": str(_celery_dir / "out"),
        "processed_folder": str(_celery_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_celery_dir / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 60 * 60,
        # Without these a broker host that does not answer (down, firewalled) or a Redis that accepts and
        # never replies holds a publishing web request until the kernel gives up, or forever. kombu's own
        # documentation asks for socket_timeout when the broker can vanish; the worker's BRPOP waits 1 s.
        "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
        "socket_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 5),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Ack after the work is done so a killed worker's task is delivered again; one message at a time so a slow
# task does not hold others hostage. Deadlines never ride on ETA messages (see STACK.md): they are rows.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
# Unit tests run tasks in-process; the integration tests start a real worker and set this to false.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The outbox's periodic resend (what a broker outage or a lost message left queued), and how long a claimed
# row ("sending") belongs to its worker before another may take it, the worker having died mid-send. The fault
# tests shorten both to seconds.
GD_EMAIL_RESEND_INTERVAL_SECONDS = env_int("GD_EMAIL_RESEND_INTERVAL_SECONDS", 60)
GD_EMAIL_STALE_CLAIM_SECONDS = env_int("GD_EMAIL_STALE_CLAIM_SECONDS", 600)
CELERY_BEAT_SCHEDULE = {
    "send-queued-emails": {
        "task": "notifications.send_pending",
        "schedule": float(GD_EMAIL_RESEND_INTERVAL_SECONDS),
    },
}

# --- UI ---------------------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
CAPTCHA_IMAGE_SIZE = (140, 50)
CAPTCHA_FONT_SIZE = 34
CAPTCHA_TIMEOUT = 10
CAPTCHA_LETTER_ROTATION = (-25, 25)
# The voice that reads the CAPTCHA aloud (issue 10): espeak-ng when installed (Debian `espeak-ng`), none
# otherwise — then the registration page offers a question in text instead. An empty value turns it off.
GDPORTAL_CAPTCHA_VOICE = env("GDPORTAL_CAPTCHA_VOICE", shutil.which("espeak-ng") or "")
# Under tests the CAPTCHA accepts "PASSED" (the package reads this at import, not through override_settings).
CAPTCHA_TEST_MODE = TESTING

# --- Admin site -------------------------------------------------------------------------------------------
ADMIN_SITE_HEADER = _("GD Portal — Cemig analysts")

# --- Logs, metrics, error reports (issue 17; deploy/README.md) ---------------------------------------------
# Production writes one JSON object per line (python-json-logger), each with the request id
# (gdportal/requestid.py), and one access line per request from `gdportal.access`; development and tests
# keep plain lines.
GDPORTAL_JSON_LOGS = env_bool("GDPORTAL_JSON_LOGS", not DEBUG and not TESTING)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "gdportal.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if GDPORTAL_JSON_LOGS else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # runserver prints its own line per request in development.
        "gdportal.access": {"level": "INFO" if GDPORTAL_JSON_LOGS else "WARNING"},
    },
}
# The worker logs through the same configuration (JSON, request ids) instead of Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = not GDPORTAL_JSON_LOGS

# Prometheus (gdportal/metrics.py): /metrics answers only this bearer token, or requests that reach a node
# directly (not through nginx) from these networks (comma-separated CIDRs); everyone else gets a 404.
GD_METRICS_TOKEN = env("GD_METRICS_TOKEN", "")
GD_METRICS_NETWORKS = env_list("GD_METRICS_NETWORKS")
# Query counts and durations (django-prometheus' database backends) and the cache's hit ratio: a counter
# increment per query, on by default in production.
GD_METRICS_DB = env_bool("GD_METRICS_DB", not DEBUG and not TESTING)
_METERED_ENGINES = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
if GD_METRICS_DB:
    for _database in DATABASES.values():
        _database["ENGINE"] = _METERED_ENGINES.get(_database["ENGINE"], _database["ENGINE"])
    for _cache in CACHES.values():
        if _cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
            _cache["BACKEND"] = "gdportal.metrics.MeteredRedisCache"

# Error reports (optional): only when SENTRY_DSN is set, and without personal data (no user, no cookies, no
# request bodies); the request id goes along as a tag.
SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN and not TESTING:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", "production"),
        release=env("SENTRY_RELEASE") or None,
        send_default_pii=False,
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0")),
        max_request_body_size="never",
    )

# --- Portal rules (SPEC §9 and friends); each is a setting so regulation changes are a deploy, not a patch --
GD_APR_REGISTER_HOURS = env_int("GD_APR_REGISTER_HOURS", 24)
GD_APR_SUBMIT_BUSINESS_DAYS = env_int("GD_APR_SUBMIT_BUSINESS_DAYS", 2)
GD_COMMERCIAL_SLA_BUSINESS_DAYS = env_int("GD_COMMERCIAL_SLA_BUSINESS_DAYS", 5)
GD_RT_REVIEW_BUSINESS_DAYS = env_int("GD_RT_REVIEW_BUSINESS_DAYS", 3)
# The conformity check of the documents (REN 1.000 art. 71), from each (re)submission to the decision.
GD_TECHNICAL_REVIEW_BUSINESS_DAYS = env_int("GD_TECHNICAL_REVIEW_BUSINESS_DAYS", 5)
GD_CORRECTION_DAYS = env_int("GD_CORRECTION_DAYS", 30)
GD_UPLOAD_MAX_BYTES = env_int("GD_UPLOAD_MAX_BYTES", 3 * 1024 * 1024)
# Files of a request form that failed for another reason are kept this long for their owner (cases/held.py).
GD_HELD_UPLOAD_HOURS = env_int("GD_HELD_UPLOAD_HOURS", 24)
# PDFs are parsed in a child process with these limits (gdportal/pdfsandbox.py): a hostile PDF past any of
# them is refused. A normal 3 MB PDF needs well under a second and 100 MB.
GD_PDF_CPU_SECONDS = env_int("GD_PDF_CPU_SECONDS", 2)
GD_PDF_MEMORY_MB = env_int("GD_PDF_MEMORY_MB", 256)
GD_PDF_TIMEOUT_SECONDS = env_int("GD_PDF_TIMEOUT_SECONDS", 5)
# Images above this many pixels are refused (Pillow's own bomb guard starts at about 89 megapixels).
GD_IMAGE_MAX_PIXELS = env_int("GD_IMAGE_MAX_PIXELS", 40_000_000)
# Absolute links in e-mails (password links, PDF links) point here. Production sets it; without it the links
# follow the local server's port (`PORT=18801 make run`). The Makefile exports it from PORT for every process,
# because honcho gives the worker — which renders most e-mails — PORT+100.
GDPORTAL_BASE_URL = env("GDPORTAL_BASE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")
GD_CONSULTATION_ANSWER_DAYS = env_int("GD_CONSULTATION_ANSWER_DAYS", 30)
# GFC (SPEC §6.5): amount = percentage × power (kW) × ANEEL reference price (R$/kW).
GD_GFC_REFERENCE_PRICE = env("GD_GFC_REFERENCE_PRICE", "4000.00")
# The flow-inversion calculator's capacity factor FC (SPEC §7.3; gdportal/registry/flow_inversion.py): the
# share of a cycle's 730 hours as if at full power. ANEEL's own equation was not recovered; 0.16 (a usual
# figure for solar) is the SPEC's default, and a setting so a better one is a deploy, not a patch.
GD_CALCULATOR_CAPACITY_FACTOR = env("GD_CALCULATOR_CAPACITY_FACTOR", "0.16")
# Minas Gerais' bounding box (decimal degrees) for the plant's coordinates.
GD_MG_BOUNDS = {"lat": (-22.93, -14.23), "lon": (-51.05, -39.85)}
# SPEC §15: coordinates farther than this (metres) from the registry's location of the UC are refused at the
# field unless the filer confirms them with a reason. Cemig's guide: 100 m, its most frequent refusal reason.
GD_COORDINATES_MAX_DISTANCE_M = env_int("GD_COORDINATES_MAX_DISTANCE_M", 100)
# Failed public status lookups allowed per address per 15 minutes.
GD_PUBLIC_LOOKUP_LIMIT = env_int("GD_PUBLIC_LOOKUP_LIMIT", 10)
# An RT's registry lookups (searches and request forms opened) per hour, and failed APR "Buscar" per hour;
# the same figure × 3 per client address (SPEC §10: a registry is not harvested one client number at a time).
GD_RT_LOOKUPS_PER_HOUR = env_int("GD_RT_LOOKUPS_PER_HOUR", 60)
GD_ORDER_SEARCH_FAILURES_PER_HOUR = env_int("GD_ORDER_SEARCH_FAILURES_PER_HOUR", 10)
# Password reset requests per hour: per e-mail typed, and per client address.
GD_PASSWORD_RESET_PER_EMAIL = env_int("GD_PASSWORD_RESET_PER_EMAIL", 5)
GD_PASSWORD_RESET_PER_ADDRESS = env_int("GD_PASSWORD_RESET_PER_ADDRESS", 20)
GD_PARECER_DAYS_MICRO = env_int("GD_PARECER_DAYS_MICRO", 15)
GD_PARECER_DAYS_MICRO_WITH_WORKS = env_int("GD_PARECER_DAYS_MICRO_WITH_WORKS", 30)
GD_PARECER_DAYS_MINI = env_int("GD_PARECER_DAYS_MINI", 45)
# After the parecer (SPEC §6, §9): tacit acceptance, validity, grid works, inspection and its report, the new
# request after a failed inspection, the GFC kept after the connection.
GD_PARECER_ACCEPT_BUSINESS_DAYS = env_int("GD_PARECER_ACCEPT_BUSINESS_DAYS", 10)
GD_PARECER_VALID_DAYS = env_int("GD_PARECER_VALID_DAYS", 120)
GD_GRID_WORKS_DAYS = env_int("GD_GRID_WORKS_DAYS", 60)
GD_INSPECTION_BUSINESS_DAYS_BT = env_int("GD_INSPECTION_BUSINESS_DAYS_BT", 5)
GD_INSPECTION_BUSINESS_DAYS_MT = env_int("GD_INSPECTION_BUSINESS_DAYS_MT", 10)
GD_INSPECTION_REPORT_BUSINESS_DAYS = env_int("GD_INSPECTION_REPORT_BUSINESS_DAYS", 3)
# The flow-inversion studies the holder or the RT asked for (REN 1.000 art. 78; SPEC §15): the utility
# delivers them within this many business days, or the breach is recorded.
GD_STUDIES_BUSINESS_DAYS = env_int("GD_STUDIES_BUSINESS_DAYS", 10)
GD_NEW_INSPECTION_DAYS = env_int("GD_NEW_INSPECTION_DAYS", 120)
GD_GFC_KEPT_DAYS = env_int("GD_GFC_KEPT_DAYS", 30)
# Sistema de compensação (SPEC §7.1): an accepted receiving-unit registration applies from the first cycle
# that starts at least this many days after the request (60, the seed; 0 for REN 1.000's "next cycle").
GD_ALLOCATION_NOTICE_DAYS = env_int("GD_ALLOCATION_NOTICE_DAYS", 60)
# SPEC §16: installed power of an inverter-based plant = Σ inverter kW CA ("inverters"), or the smaller of
# that and Σ module kWp ("smaller"); it must equal the access request's power for the APR order to be sent.
GD_INSTALLED_POWER_RULE = env("GD_INSTALLED_POWER_RULE", "inverters")
# seed_demo's cases that cross stages (each walked through every stage's services): dotted paths.
# demo.transparency comes last: it gives the cases filed before it months of closed clocks (/transparencia/).
GD_DEMO_JOURNEYS = [
    "demo.journeys.seed_cases",
    "demo.compensation.seed_cases",
    "demo.transparency.seed_history",
]
# Wrong codes typed at /verificar/ allowed per address per 15 minutes.
GD_VERIFY_LIMIT = env_int("GD_VERIFY_LIMIT", 10)
# The deadline sweep (gdportal/deadlines/sweep.py): how often beat runs it, rows per transaction, and an
# optional pause between batches to leave room for other writers.
GD_SWEEP_INTERVAL_SECONDS = env_int("GD_SWEEP_INTERVAL_SECONDS", 120)
GD_SWEEP_BATCH_SIZE = env_int("GD_SWEEP_BATCH_SIZE", 2000)
GD_SWEEP_BATCH_PAUSE_SECONDS = float(env("GD_SWEEP_BATCH_PAUSE_SECONDS", "0"))
CELERY_BEAT_SCHEDULE["sweep-deadlines"] = {
    "task": "deadlines.sweep",
    "schedule": float(GD_SWEEP_INTERVAL_SECONDS),
}
from celery.schedules import crontab  # noqa: E402 — kept next to the schedule it builds

# Webhooks (SPEC §14): the retries that fell due, every minute (gdportal/webhooks/delivery.py).
CELERY_BEAT_SCHEDULE["webhooks-deliver-due"] = {"task": "webhooks.deliver_due", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["sweep-held-uploads"] = {"task": "cases.sweep_held_uploads", "schedule": 3600.0}
CELERY_BEAT_SCHEDULE["forget-idempotent-answers"] = {
    "task": "api.forget_idempotent_answers",
    "schedule": 3600.0,
}
# Document versions whose checks' task was lost (broker down): checked by this sweep (cases/findings.py).
CELERY_BEAT_SCHEDULE["check-pending-documents"] = {"task": "cases.check_pending_documents", "schedule": 300.0}
# The staff digest goes out at 07:00 São Paulo time; idempotent per group and day.
CELERY_BEAT_SCHEDULE["staff-daily-digest"] = {
    "task": "deadlines.daily_digest",
    "schedule": crontab(hour=7, minute=0),
}
# The public transparency page (SPEC §14, gdportal/transparency/): how many months it shows (the current one
# included) and how often beat recomputes its figures; the page reads only the last computation.
GD_TRANSPARENCY_MONTHS = env_int("GD_TRANSPARENCY_MONTHS", 12)
GD_TRANSPARENCY_INTERVAL_SECONDS = env_int("GD_TRANSPARENCY_INTERVAL_SECONDS", 3600)
CELERY_BEAT_SCHEDULE["transparency"] = {
    "task": "transparency.compute",
    "schedule": float(GD_TRANSPARENCY_INTERVAL_SECONDS),
}
# Compensation notices (SPEC §8): credits expiring within 90 days, daily; the yearly statement in January.
CELERY_BEAT_SCHEDULE["compensation-expiring-credits"] = {
    "task": "compensation.expiring_credits",
    "schedule": crontab(hour=8, minute=0),
}
CELERY_BEAT_SCHEDULE["compensation-yearly-statements"] = {
    "task": "compensation.yearly_statements",
    "schedule": crontab(hour=9, minute=0, day_of_month=10, month_of_year=1),
}
# The credit ledger (SPEC §7.2, compensation/gd_class.py): credits live this many months after their origin
# cycle; the share of TUSD Fio B (and Fio A) that compensated energy still pays, per GD class and year (Lei
# 14.300 art. 26–27). GD I pays nothing until the end of GD_I_TRANSITION_END_YEAR; GD II follows the yearly
# table, then the art. 17 rule, which the portal takes as the AFTER_TRANSITION shares until ANEEL publishes it
# (from 2031 for requests filed in the art. 27 §2 window); GD III pays the GD_III shares.
GD_CREDIT_VALID_MONTHS = env_int("GD_CREDIT_VALID_MONTHS", 60)
GD_I_TRANSITION_END_YEAR = env_int("GD_I_TRANSITION_END_YEAR", 2045)
GD_II_FIO_B_SHARES = {2023: "0.15", 2024: "0.30", 2025: "0.45", 2026: "0.60", 2027: "0.75", 2028: "0.90"}
GD_II_LATE_FILING_WINDOW = ("2023-01-08", "2023-07-07")
GD_II_LATE_TRANSITION_END_YEAR = env_int("GD_II_LATE_TRANSITION_END_YEAR", 2030)
GD_FIO_B_SHARE_AFTER_TRANSITION = env("GD_FIO_B_SHARE_AFTER_TRANSITION", "1.00")
GD_FIO_A_SHARE_AFTER_TRANSITION = env("GD_FIO_A_SHARE_AFTER_TRANSITION", "0")
GD_III_FIO_B_SHARE = env("GD_III_FIO_B_SHARE", "1.00")
GD_III_FIO_A_SHARE = env("GD_III_FIO_A_SHARE", "0.40")
# Generating units computed per transaction by compute_compensation (each with its receiving units).
GD_LEDGER_CHUNK_SIZE = env_int("GD_LEDGER_CHUNK_SIZE", 2000)
# Webhooks to http://127.0.0.1 / localhost and to non-public addresses: development and tests only. Production
# sends to https:// URLs whose host resolves to public addresses alone (SSRF, gdportal/webhooks/targets.py).
GD_WEBHOOKS_ALLOW_LOCAL_HTTP = DEBUG or TESTING
# Staff MFA (gdportal/admin_site.py): staff with a confirmed TOTP device always need a token; this makes
# a device mandatory for every staff user (enrol them first).
GD_STAFF_MFA_REQUIRED = env_bool("GD_STAFF_MFA_REQUIRED", False)


# --- Integrators' API (SPEC §14) ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The token first: its challenge makes an unauthenticated call a 401 rather than a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gdportal.api.auth.TokenAuthentication",
        "gdportal.api.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["gdportal.api.permissions.IsFiler"],
    "DEFAULT_THROTTLE_CLASSES": ["gdportal.api.throttling.PerTokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gdportal.api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
}
GD_API_RATE_LIMIT = int(os.environ.get("GD_API_RATE_LIMIT", "120"))  # calls per token and window
GD_API_RATE_WINDOW_SECONDS = 60
SPECTACULAR_SETTINGS = {
    "TITLE": "GD Portal API",
    "DESCRIPTION": (
        "API para integradores: pedidos de acesso e consultas, documentos, pedidos APR, parecer, vistoria e "
        "compensação, com as mesmas regras, prazos e e-mails das páginas. Autenticação: token pessoal "
        "(página “Acesso por API”) no cabeçalho `Authorization: Bearer gdp_…`. Erros em "
        "`application/problem+json` (RFC 9457). POSTs aceitam `Idempotency-Key`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gdportal.api.schema.add_common_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "gdportal.cases.choices.CaseState",
        "ClockStateEnum": "gdportal.deadlines.models.Deadline.State",
        "CaseKindEnum": "gdportal.cases.choices.CaseKind",
        "DocumentKindEnum": "gdportal.cases.choices.DocumentKind",
        "RequestTypeEnum": "gdportal.cases.choices.RequestType",
        "InstallationClassEnum": "gdportal.registry.models.InstallationClass",
        "DeclarationCodeEnum": "gdportal.generation.choices.DeclarationCode",
        "GenerationTypeEnum": "gdportal.generation.choices.GenerationType",
        "BuildingTypeEnum": "gdportal.generation.choices.BuildingType",
        "UnitsModeEnum": "gdportal.generation.choices.UnitsMode",
        # Stage 2's own sets (named here as strings: settings import no stage).
        "OrderDocumentKindEnum": "aprweb.documents.KINDS",
        "OrderRequestTypeEnum": "aprweb.models.OrderRequestType",
    },
}
