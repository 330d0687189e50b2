"""Odd query strings and ids from a fuzzer: each answers 200/400/404, never a 500 (security test, item 12)."""

import pytest
from django.urls import reverse

from tests.aprweb.test_technical import decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_raise(client):
    # A 500 shows as a status here instead of an exception, as the browser would see it.
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "params",
    [
        {"sent_to": "9999-12-31"},
        {"sent_from": "9999-12-31", "sent_to": "9999-12-31"},
        {"sent_from": "0001-01-01", "sent_to": "0001-01-01"},
    ],
)
def test_order_search_takes_the_extreme_dates(no_raise, apr_client, submitted_order, params):
    response = apr_client.get(reverse("aprweb:orders"), params)
    assert response.status_code == 200
    sent_until_the_end_of_time = "sent_to" in params and params["sent_to"].startswith("9999")
    assert (submitted_order.protocol in response.content.decode()) == (
        sent_until_the_end_of_time and "sent_from" not in params
    )


@pytest.mark.parametrize(
    "asked", ["99999999999999999999", "-99999999999999999999", "1e9", "abc", "0", "\x00"]
)
@pytest.mark.parametrize("name", ["after", "before", "page"])
def test_order_search_ignores_a_page_it_cannot_serve(no_raise, apr_client, submitted_order, name, asked):
    response = apr_client.get(reverse("aprweb:orders"), {name: asked})
    assert response.status_code == 200 and submitted_order.protocol in response.content.decode()


@pytest.mark.parametrize("object_id", ["abc", "1.5", "-1", "99999999999999999999"])
def test_technical_queue_page_with_a_bad_id_is_404(no_raise, technical_analyst, submitted_order, object_id):
    no_raise.force_login(technical_analyst)
    response = no_raise.get(f"/admin/aprweb/technicalqueue/{object_id}/change/")
    assert response.status_code == 404


@pytest.mark.parametrize("version", ["abc", "", "99999999999999999999"])
def test_verdict_with_a_bad_version_id_is_404_and_judges_nothing(
    no_raise, technical_analyst, submitted_order, version
):
    no_raise.force_login(technical_analyst)
    response = decide(no_raise, submitted_order.case, "verdict", version=version, verdict="conforming")
    assert response.status_code == 404
    assert not submitted_order.case.documents.exclude(verdict="").exists()
