"""The cast every test shares: a customer, an RT, another RT, analysts, an outsider (healthchecks' style)."""

import contextlib
import os
import socket
from urllib.parse import urlparse

import pytest

from tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
IN_CI = os.environ.get("CI", "").lower() == "true"


def _reachable(url, default_port):
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    if IN_CI:
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            pytest.exit(f"CI=true but the tests would run on {engine}: set DATABASE_URL to PostgreSQL", 1)
        if not os.environ.get("REDIS_URL") or not _reachable(os.environ["REDIS_URL"], 6379):
            pytest.exit("CI=true but Redis is not reachable at REDIS_URL", 1)


@pytest.fixture
def redis_url():
    """Tests that need the real Redis: skipped on a bare machine, a failure in CI."""
    url = os.environ.get("REDIS_URL")
    if not url or not _reachable(url, 6379):
        if IN_CI:
            pytest.fail("Redis is required in CI (REDIS_URL)")
        pytest.skip("Redis not available (set REDIS_URL)")
    return url


@pytest.fixture
def postgres(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("PostgreSQL is required in CI (DATABASE_URL)")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    return connection


@pytest.fixture
def customer_record(db):
    return factories.CustomerFactory(name="Maria Aparecida Souza")


@pytest.fixture
def installation(customer_record):
    return factories.InstallationFactory(customer=customer_record)


@pytest.fixture
def customer(customer_record):
    return factories.UserFactory(customer=customer_record, email="maria@example.com", first_name="Maria")


@pytest.fixture
def rt(db):
    return factories.RTFactory(first_name="Paulo")


@pytest.fixture
def other_rt(db):
    return factories.RTFactory(first_name="Outro")


@pytest.fixture
def outsider(db):
    return factories.UserFactory(customer=factories.CustomerFactory(), first_name="Estranho")


@pytest.fixture
def commercial_analyst(db):
    from gdportal.accounts import roles

    return factories.StaffFactory(username="analista.comercial", role=roles.COMMERCIAL_ANALYST)


@pytest.fixture
def technical_analyst(db):
    from gdportal.accounts import roles

    return factories.StaffFactory(username="analista.tecnico", role=roles.TECHNICAL_ANALYST)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Every test writes uploads to its own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }
    settings.EMAIL_MESSAGES_DIR = tmp_path / "mail"


def _has_file(data):
    values = [v for value in data.values() for v in (value if isinstance(value, (list, tuple)) else [value])]
    return any(hasattr(value, "read") for value in values)


@pytest.fixture(autouse=True)
def browser_like_posts(monkeypatch):
    """The test client posts forms as a browser does: multipart only when a file goes with them.

    Django's client sends every POST as multipart; the portal refuses multipart bodies on the pages that take
    no files (gdportal.middleware.UploadGuardMiddleware), which no browser sends them.
    """
    from urllib.parse import urlencode

    from django.test.client import MULTIPART_CONTENT, RequestFactory

    post = RequestFactory.post

    def browser_post(self, path, data=None, content_type=MULTIPART_CONTENT, *args, **kwargs):
        data = {} if data is None else data
        if content_type == MULTIPART_CONTENT and isinstance(data, dict) and not _has_file(data):
            data, content_type = urlencode(data, doseq=True), "application/x-www-form-urlencoded"
        return post(self, path, data, content_type, *args, **kwargs)

    monkeypatch.setattr(RequestFactory, "post", browser_post)


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    from gdportal import cache as safe_cache
    from gdportal import publish

    cache.clear()
    yield
    # A test that broke the cache or the broker leaves this process's "pause after a fault" behind: the next
    # test starts with both answering.
    safe_cache._paused_until = 0.0
    publish._paused_until = 0.0
    with contextlib.suppress(Exception):  # a test's own broken cache settings are gone by now
        cache.clear()
