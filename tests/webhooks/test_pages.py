"""/conta/webhooks/: one's own endpoints; anyone else's is a 404; staff and strangers refused."""

import pytest
from django.urls import reverse

from gdportal.webhooks import services
from gdportal.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.webhooks.conftest import make_endpoint

pytestmark = pytest.mark.django_db
LIST = "/conta/webhooks/"


def test_the_list_is_at_its_address():
    assert reverse("webhooks:endpoints") == LIST


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_staff_have_no_webhooks(client, commercial_analyst):
    client.force_login(commercial_analyst)
    assert client.get(LIST).status_code == 403
    assert client.post(reverse("webhooks:new"), {"url": "https://x.example.com/"}).status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_a_customer_adds_an_endpoint_and_sees_its_secret_once(client, customer):
    client.force_login(customer)
    assert client.get(reverse("webhooks:new")).status_code == 200
    response = client.post(
        reverse("webhooks:new"), {"url": "https://erp.example.com/gd", "description": "ERP"}
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response["Location"] == reverse("webhooks:created", args=[endpoint.pk])
    assert (endpoint.owner, endpoint.url, endpoint.description) == (
        customer,
        "https://erp.example.com/gd",
        "ERP",
    )
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40

    shown = client.get(response["Location"])
    assert endpoint.secret in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    again = client.get(response["Location"], follow=True)
    assert endpoint.secret not in again.content.decode()
    assert again.redirect_chain[-1][0] == reverse("webhooks:deliveries", args=[endpoint.pk])
    # Nor on the list or the log.
    assert endpoint.secret not in client.get(LIST).content.decode()


def test_an_rt_has_webhooks_too(client, rt):
    client.force_login(rt)
    client.post(reverse("webhooks:new"), {"url": "https://rt.example.com/gd"})
    assert WebhookEndpoint.objects.get().owner == rt


def test_only_https_is_accepted_outside_development(client, customer, settings):
    settings.GD_WEBHOOKS_ALLOW_LOCAL_HTTP = False
    client.force_login(customer)
    for url in ["http://erp.example.com/gd", "https://192.168.0.10/gd", "https://localhost/gd"]:
        response = client.post(reverse("webhooks:new"), {"url": url})
        assert response.status_code == 200, url
        assert response.context["form"].errors["url"], url
    assert not WebhookEndpoint.objects.exists()


def test_an_account_has_at_most_ten_endpoints(client, customer):
    for n in range(services.MAX_ENDPOINTS):
        make_endpoint(customer, url=f"https://erp.example.com/{n}")
    client.force_login(customer)
    response = client.post(reverse("webhooks:new"), {"url": "https://erp.example.com/more"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert WebhookEndpoint.objects.count() == services.MAX_ENDPOINTS


def test_the_list_shows_only_my_endpoints(client, customer, outsider, django_assert_max_num_queries):
    mine = make_endpoint(customer, url="https://mine.example.com/gd")
    make_endpoint(outsider, url="https://theirs.example.com/gd")
    client.force_login(customer)
    with django_assert_max_num_queries(8):
        page = client.get(LIST).content.decode()
    assert mine.url in page and "theirs.example.com" not in page


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("webhooks:deliveries", "get"),
        ("webhooks:created", "get"),
        ("webhooks:test", "post"),
        ("webhooks:resume", "post"),
        ("webhooks:activate", "post"),
        ("webhooks:delete", "get"),
        ("webhooks:delete", "post"),
    ],
)
def test_someone_elses_endpoint_does_not_exist(client, customer, outsider, rt, name, method):
    theirs = make_endpoint(outsider)
    for intruder in (customer, rt):
        client.force_login(intruder)
        assert getattr(client, method)(reverse(name, args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.active and not theirs.deliveries.exists()


@pytest.mark.parametrize("name", ["webhooks:test", "webhooks:resume", "webhooks:activate"])
def test_actions_are_posts(client, customer, name):
    endpoint = make_endpoint(customer)
    client.force_login(customer)
    assert client.get(reverse(name, args=[endpoint.pk])).status_code == 405


def test_the_test_button_queues_a_test_event_shown_in_the_log(client, customer):
    endpoint = make_endpoint(customer)
    client.force_login(customer)
    response = client.post(reverse("webhooks:test", args=[endpoint.pk]), follow=True)
    [row] = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert (row.event, row.payload["type"], row.case_id) == ("webhook.test", "webhook.test", None)
    assert str(row.event_id) in response.content.decode()


def test_the_log_shows_the_last_answers(client, customer):
    endpoint = make_endpoint(customer)
    services.endpoint_send_test(endpoint=endpoint, by=customer)
    WebhookDelivery.objects.update(
        status="failed", attempts=3, last_status_code=502, last_response="Bad gateway!"
    )
    client.force_login(customer)
    page = client.get(reverse("webhooks:deliveries", args=[endpoint.pk])).content.decode()
    assert "HTTP 502" in page and "Bad gateway!" in page


def test_switching_off_resuming_and_deleting(client, customer):
    endpoint = make_endpoint(customer)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        paused_at="2026-01-01T00:00Z", failing_since="2025-12-31T00:00Z"
    )
    client.force_login(customer)

    client.post(reverse("webhooks:activate", args=[endpoint.pk]), {"active": "0"})
    assert not WebhookEndpoint.objects.get(pk=endpoint.pk).active
    client.post(reverse("webhooks:activate", args=[endpoint.pk]), {"active": "1"})
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).active

    client.post(reverse("webhooks:resume", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.paused_at is None and endpoint.failing_since is None

    assert client.get(reverse("webhooks:delete", args=[endpoint.pk])).status_code == 200
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    client.post(reverse("webhooks:delete", args=[endpoint.pk]))
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_a_customer_user_without_a_customer_has_no_webhooks(client):
    stray = factories.UserFactory(customer=None)
    client.force_login(stray)
    assert client.get(LIST).status_code == 403


def test_staff_see_endpoints_in_the_admin_without_their_secret(admin_client, customer):
    endpoint = make_endpoint(customer)
    services.endpoint_send_test(endpoint=endpoint, by=customer)
    for url in [
        reverse("admin:webhooks_webhookendpoint_changelist"),
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
        reverse("admin:webhooks_webhookdelivery_changelist"),
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert endpoint.secret not in response.content.decode()
    admin_client.post(
        reverse("admin:webhooks_webhookendpoint_changelist"),
        {"action": "pause", "_selected_action": [endpoint.pk]},
    )
    endpoint.refresh_from_db()
    assert endpoint.paused_at is not None
