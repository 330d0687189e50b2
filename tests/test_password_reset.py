"""The public password reset (/accounts/password_reset/): the same answer for any e-mail, throttled, and never
for staff accounts."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gdportal.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

URL = "/accounts/password_reset/"
NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def ask(client, email, **extra):
    return client.post(URL, {"email": email}, **extra)


def reset_emails_to(address):
    return OutboundEmail.objects.filter(template="password_reset", to=[address]).count()


def test_the_answer_and_the_work_done_are_the_same_with_or_without_an_account(
    client, customer, django_capture_on_commit_callbacks
):
    seen = []
    for email in [customer.email, "ninguem@example.com"]:
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=False) as jobs,
        ):
            response = ask(client, email)
        seen.append((response.status_code, response["Location"], response.content, len(queries), len(jobs)))
    assert seen[0] == seen[1]
    assert seen[0][:2] == (302, reverse("accounts:password_reset_done"))
    # The account is not looked up in the request: one outbox row (one INSERT) is written for any e-mail and
    # the sender finds (or not) the account.
    assert seen[0][3:] == (1, 1)


def test_the_link_reaches_the_customer_and_opens_the_reset_page(
    client, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "Maria@Example.com")
    email = OutboundEmail.objects.get()
    assert email.to == [customer.email] and email.status == OutboundEmail.Status.SENT
    link = email.body_text.split("http://127.0.0.1:8000", 1)[1].split()[0]
    assert client.get(link, follow=True).status_code == 200


def test_staff_accounts_are_never_reset_from_the_public_form(
    client, commercial_analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, commercial_analyst.email)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert list(OutboundEmail.objects.values_list("status", "to")) == [(OutboundEmail.Status.SKIPPED, [])]


def test_a_superuser_without_the_staff_kind_is_not_reset_either(
    client, customer, django_capture_on_commit_callbacks
):
    customer.is_superuser = True
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, customer.email)
    assert not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SKIPPED).exists()


def test_the_sixth_request_for_one_email_in_an_hour_sends_nothing(
    client, customer, settings, django_capture_on_commit_callbacks
):
    settings.GD_PASSWORD_RESET_PER_ADDRESS = 100
    spellings = ["maria@example.com", "MARIA@example.com", "Maria@Example.COM"]
    with time_machine.travel(NOON, tick=False) as clock:
        for n in range(7):
            with django_capture_on_commit_callbacks(execute=True):
                # Each from another address: the per-e-mail limit does not depend on who asks.
                email = spellings[n % 3] if n < 6 else "marıa@example.com"
                response = ask(client, email, REMOTE_ADDR=f"198.51.100.{n}")
            assert response.status_code == 302
        assert reset_emails_to(customer.email) == 5
        clock.shift(dt.timedelta(hours=1))
        with django_capture_on_commit_callbacks(execute=True):
            ask(client, customer.email)
        assert reset_emails_to(customer.email) == 6


def test_one_address_is_told_to_wait_after_twenty_requests(client, settings):
    with time_machine.travel(NOON, tick=False):
        for n in range(20):
            assert ask(client, f"pessoa{n}@example.com", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}").status_code == 302
        response = ask(client, "pessoa99@example.com", HTTP_X_FORWARDED_FOR="6.6.6.99")
    assert response.status_code == 429
    assert "Muitos pedidos de nova senha" in response.content.decode()


def test_a_broken_cache_does_not_fail_the_reset(
    client, customer, settings, django_capture_on_commit_callbacks
):
    # Nothing listens on port 1: every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, customer.email)
    assert response.status_code == 302 and reset_emails_to(customer.email) == 1


def test_a_broker_outage_keeps_the_request_and_the_resend_delivers_it(client, customer):
    """The request is an outbox row: with no broker it waits for the periodic resend instead of being lost."""
    from gdportal.notifications.tasks import send_pending

    # on_commit callbacks do not run here: nothing is published, as when the broker is down.
    response = ask(client, customer.email)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.QUEUED
    send_pending()
    assert reset_emails_to(customer.email) == 1
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT
