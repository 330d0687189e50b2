"""Sending: the signature, retries with backoff, order behind a failing head, the pause after a day, SSRF."""

import socket
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from gdportal.notifications.models import OutboundEmail
from gdportal.webhooks import delivery, services, targets
from gdportal.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.atende.conftest import make_case
from tests.webhooks.conftest import payload, signature_ok

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def endpoint_for(owner, url):
    endpoint, secret = services.endpoint_create(owner=owner, url=url)
    return endpoint, secret


def rows(endpoint):
    return list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id"))


def test_a_delivery_is_signed_with_the_endpoint_secret_and_carries_its_event_id(
    receiver, customer, installation
):
    hook = receiver()
    endpoint, secret = endpoint_for(customer, hook.url)
    case = make_case(customer, installation)

    assert delivery.deliver_endpoint(endpoint.pk) == 1

    [request] = hook.log
    [row] = rows(endpoint)
    assert request["path"] == "/hooks/gd"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert request["headers"]["X-GDPortal-Event-Id"] == str(row.event_id)
    assert request["headers"]["X-GDPortal-Event"] == "case.transition"
    assert signature_ok(secret, request)
    assert not signature_ok("another secret", request)
    assert payload(request)["case"]["protocol"] == case.protocol
    assert payload(request)["id"] == str(row.event_id)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == (Status.DELIVERED, 1, 200)
    assert row.last_response == '{"ok": true}'
    endpoint.refresh_from_db()
    assert endpoint.last_success_at is not None and endpoint.failing_since is None
    # Delivered once: another run sends nothing.
    assert delivery.deliver_endpoint(endpoint.pk) == 0
    assert len(hook.log) == 1


def test_the_signature_changes_with_the_body_and_the_timestamp():
    body = b'{"id":"1"}'
    assert delivery.sign("k", 100, body) == delivery.sign("k", 100, body)
    assert delivery.sign("k", 100, body) != delivery.sign("k", 101, body)
    assert delivery.sign("k", 100, body) != delivery.sign("k", 100, body + b" ")
    assert delivery.sign("k", 100, body).startswith("sha256=")


def test_a_failure_is_retried_with_growing_backoff_and_later_rows_wait_behind_it(
    receiver, customer, installation
):
    hook = receiver(status=503, body=b"maintenance")
    endpoint, _ = endpoint_for(customer, hook.url)
    with time_machine.travel(T0, tick=False) as clock:
        make_case(customer, installation)
        make_case(customer, installation)
        first, second = rows(endpoint)

        assert delivery.deliver_endpoint(endpoint.pk) == 0
        first.refresh_from_db()
        assert (first.status, first.attempts, first.last_status_code) == (Status.FAILED, 1, 503)
        assert first.last_response == "maintenance" and first.last_error == "HTTP 503"
        assert timedelta(seconds=24) <= first.next_attempt_at - T0 <= timedelta(seconds=36)
        # The second row waits for the first: never sent ahead of it.
        assert len(hook.log) == 1
        assert WebhookDelivery.objects.get(pk=second.pk).attempts == 0

        # Not due yet: nothing is tried.
        assert delivery.deliver_endpoint(endpoint.pk) == 0
        assert len(hook.log) == 1

        delays = []
        for _ in range(10):
            clock.move_to(first.next_attempt_at)
            delivery.deliver_endpoint(endpoint.pk)
            before = timezone.now()
            first.refresh_from_db()
            delays.append(first.next_attempt_at - before)
        assert timedelta(seconds=48) <= delays[0] <= timedelta(seconds=72)  # 1 min ± 20 %
        assert timedelta(seconds=96) <= delays[1] <= timedelta(seconds=144)  # 2 min ± 20 %
        assert all(d <= timedelta(hours=1.2) for d in delays) and delays[-1] >= timedelta(minutes=48)
        assert first.attempts == 11 and len(hook.log) == 11

        hook.status = 204
        clock.move_to(first.next_attempt_at)
        assert delivery.deliver_endpoint(endpoint.pk) == 2
    assert [r.status for r in rows(endpoint)] == [Status.DELIVERED, Status.DELIVERED]
    ids = [r["headers"]["X-GDPortal-Event-Id"] for r in hook.log]
    assert ids[-2:] == [str(first.event_id), str(second.event_id)]


def test_a_redirect_is_not_followed(receiver, customer, installation):
    hook = receiver(status=302, headers={"Location": "http://127.0.0.1:1/elsewhere"})
    endpoint, _ = endpoint_for(customer, hook.url)
    make_case(customer, installation)
    delivery.deliver_endpoint(endpoint.pk)
    [row] = rows(endpoint)
    assert (row.status, row.last_status_code) == (Status.FAILED, 302)
    assert len(hook.log) == 1


def test_after_a_day_of_failures_the_endpoint_is_paused_and_its_owner_told_once(
    receiver, customer, installation
):
    hook = receiver(status=500)
    endpoint, _ = endpoint_for(customer, hook.url)
    with time_machine.travel(T0, tick=False) as clock:
        make_case(customer, installation)
        delivery.deliver_endpoint(endpoint.pk)
        endpoint.refresh_from_db()
        assert endpoint.failing_since == T0 and endpoint.paused_at is None

        clock.move_to(T0 + timedelta(hours=23))
        delivery.deliver_endpoint(endpoint.pk)
        endpoint.refresh_from_db()
        assert endpoint.paused_at is None

        clock.move_to(T0 + timedelta(hours=24, minutes=1))
        delivery.deliver_endpoint(endpoint.pk)
        endpoint.refresh_from_db()
        assert endpoint.paused_at == T0 + timedelta(hours=24, minutes=1)
        mails = OutboundEmail.objects.filter(template="webhook_paused")
        assert [m.to for m in mails] == [[customer.email]]
        assert hook.url in mails[0].body_text and "HTTP 500" in mails[0].body_text

        # Paused: nothing more is tried, even long after, and the owner is not told again.
        tried = len(hook.log)
        clock.move_to(T0 + timedelta(days=3))
        make_case(customer, installation)  # still recorded while paused
        assert delivery.deliver_endpoint(endpoint.pk) == 0
        assert endpoint.pk not in delivery.due_endpoint_ids()
        assert len(hook.log) == tried
        assert delivery.pause_if_failing_too_long(endpoint.pk) is False
        assert OutboundEmail.objects.filter(template="webhook_paused").count() == 1

        # The owner resumes it once fixed: everything queued goes out at once, in order.
        hook.status = 200
        services.endpoint_resume(endpoint=endpoint, by=customer)
        assert delivery.deliver_endpoint(endpoint.pk) == 2
    endpoint.refresh_from_db()
    assert endpoint.paused_at is None and endpoint.failing_since is None
    assert {r.status for r in rows(endpoint)} == {Status.DELIVERED}


def test_a_claim_is_never_taken_twice_but_a_stale_one_is(receiver, customer, installation):
    hook = receiver()
    endpoint, _ = endpoint_for(customer, hook.url)
    make_case(customer, installation)
    [row] = rows(endpoint)
    WebhookDelivery.objects.filter(pk=row.pk).update(
        status=Status.SENDING, claimed_at=timezone.now(), attempts=1
    )
    assert delivery.deliver_endpoint(endpoint.pk) == 0  # another worker is sending it
    assert endpoint.pk not in delivery.due_endpoint_ids()
    assert hook.log == []

    stale = timezone.now() - delivery.STALE_CLAIM - timedelta(seconds=1)
    WebhookDelivery.objects.filter(pk=row.pk).update(claimed_at=stale)
    assert delivery.due_endpoint_ids() == [endpoint.pk]
    assert delivery.deliver_endpoint(endpoint.pk) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.DELIVERED, 2)


def test_a_switched_off_endpoint_sends_nothing_until_switched_on(receiver, customer, installation):
    hook = receiver()
    endpoint, _ = endpoint_for(customer, hook.url)
    make_case(customer, installation)
    services.endpoint_set_active(endpoint=endpoint, by=customer, active=False)
    assert delivery.deliver_endpoint(endpoint.pk) == 0 and delivery.due_endpoint_ids() == []
    services.endpoint_set_active(endpoint=endpoint, by=customer, active=True)
    assert delivery.deliver_endpoint(endpoint.pk) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/gd",
        "http://127.0.0.1:8000/gd",
        "https://127.0.0.1/gd",
        "https://10.1.2.3/gd",
        "https://[::1]/gd",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/gd",
        "https://user:pass@hooks.example.com/gd",
        "ftp://hooks.example.com/gd",
    ],
)
def test_production_refuses_plain_http_and_private_addresses(settings, url):
    settings.GD_WEBHOOKS_ALLOW_LOCAL_HTTP = False
    assert targets.url_problem(url)


def test_production_accepts_a_public_https_url(settings):
    settings.GD_WEBHOOKS_ALLOW_LOCAL_HTTP = False
    assert targets.url_problem("https://hooks.example.com:8443/gd?x=1") is None
    assert targets.url_problem("https://8.8.8.8/gd") is None


def test_a_host_that_resolves_to_a_private_address_is_refused_at_delivery(
    settings, monkeypatch, receiver, customer, installation
):
    hook = receiver()
    settings.GD_WEBHOOKS_ALLOW_LOCAL_HTTP = False
    endpoint = WebhookEndpoint.objects.create(owner=customer, url="https://hooks.example.com/gd", secret="s")

    def resolves_inside(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", hook.port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolves_inside)
    make_case(customer, installation)
    assert delivery.deliver_endpoint(endpoint.pk) == 0
    [row] = rows(endpoint)
    assert row.status == Status.FAILED and row.last_error.startswith("refused:")
    assert "127.0.0.1" in row.last_error
    assert hook.log == []


def test_an_unreachable_receiver_is_a_failed_attempt_not_an_exception(customer, installation):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens here once closed
    endpoint, _ = endpoint_for(customer, f"http://127.0.0.1:{port}/gd")
    make_case(customer, installation)
    assert delivery.deliver_endpoint(endpoint.pk) == 0
    [row] = rows(endpoint)
    assert row.status == Status.FAILED and row.last_status_code is None
    assert "Connection refused" in row.last_error or "NewConnectionError" in row.last_error


def test_delivered_rows_are_forgotten_after_a_month(receiver, customer, installation):
    hook = receiver()
    endpoint, _ = endpoint_for(customer, hook.url)
    make_case(customer, installation)
    delivery.deliver_endpoint(endpoint.pk)
    assert delivery.prune_delivered() == 0
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert delivery.prune_delivered() == 1
    assert rows(endpoint) == []
