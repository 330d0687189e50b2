"""Signed-in pages read the session and the user from the cache (issue 15), and nothing about signing out,
changing a password or being deactivated changes for the user: each still takes effect on the next request.
When the cache is down, the database answers as before (tests/test_outages.py's real outage: nothing listens
at 127.0.0.1:1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def auth_cache(settings):
    settings.SESSION_ENGINE = "gdportal.sessions"
    settings.GD_USER_CACHE_SECONDS = 60


def sign_in(client, customer):
    answer = client.post(reverse("accounts:login"), {"username": customer.email, "password": PASSWORD})
    assert answer.status_code == 302


def session_and_user_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(path)
    assert answer.status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    return [sql for sql in sqls if "django_session" in sql or "accounts_user" in sql]


def test_a_signed_in_page_reads_neither_the_session_nor_the_user_from_the_database(client, customer):
    sign_in(client, customer)
    client.get(reverse("atende:status"))  # the first request after signing in fills the cache
    assert session_and_user_queries(client, reverse("atende:status")) == []
    assert client.get("/").context["user"] == customer


def test_signing_out_ends_the_session_at_once(client, customer):
    sign_in(client, customer)
    client.get(reverse("atende:status"))
    cookie = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    client.cookies["sessionid"] = cookie  # someone replays the old cookie
    assert client.get(reverse("atende:status")).status_code == 302


def test_a_new_password_signs_out_the_other_browsers_at_once(client, customer):
    sign_in(client, customer)
    client.get(reverse("atende:status"))
    customer.set_password("Outra-Senha-2026")
    customer.save()
    assert client.get(reverse("atende:status")).status_code == 302


def test_a_deactivated_account_is_signed_out_on_its_next_request(client, customer):
    sign_in(client, customer)
    client.get(reverse("atende:status"))
    customer.is_active = False
    customer.save()
    assert client.get(reverse("atende:status")).status_code == 302


def test_with_the_cache_down_signed_in_pages_still_answer_from_the_database(client, customer, settings):
    sign_in(client, customer)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE}
    }
    assert client.get(reverse("atende:status")).status_code == 200
    assert client.get("/").context["user"] == customer
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("atende:status")).status_code == 302
