"""Issue 10 item 13 on APR Web's forms: numeric keyboards for CPF, protocol and numbers; dates typed day first
(dd/mm/aaaa or ISO) in the order and the order search."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from aprweb.models import AprOrder
from gdportal.cases.choices import CaseState
from tests.aprweb.conftest import order_data
from tests.atende.conftest import make_case
from tests.test_form_usability import inputs

pytestmark = pytest.mark.django_db


def test_apr_login_and_order_lookup_keyboards(apr_client):
    assert inputs(Client().get("/apr/"))["id_username"]["inputmode"] == "numeric"
    fields = inputs(apr_client.get(reverse("aprweb:order_new")))
    assert fields["id_protocol"]["inputmode"] == "numeric"
    assert fields["id_document"]["inputmode"] == "text"
    search = inputs(apr_client.get(reverse("aprweb:orders")))
    assert search["id_protocol"]["inputmode"] == search["id_ns"]["inputmode"] == "numeric"


@pytest.mark.parametrize("typed", ["01/03/2027", "2027-03-01"])
def test_the_expected_connection_date_is_typed_day_first(
    apr_client, customer, installation, rt, rt_registration, typed
):
    case = make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL)
    lookup = {"protocol": case.protocol, "person_type": "PF", "document": case.customer.document}
    page = apr_client.post(
        reverse("aprweb:order_new"), {"lookup": "1", **lookup, "claim_code": case.claim_code}
    )
    field = inputs(page)["id_expected_connection"]
    assert field["type"] == "text" and field["data-mask"] == "date"
    assert "dd/mm/aaaa" in page.content.decode()
    apr_client.post(
        reverse("aprweb:order_new"),
        {"register": "1", **lookup, "claim_code": case.claim_code, **order_data(expected_connection=typed)},
    )
    assert AprOrder.objects.get().expected_connection == dt.date(2027, 3, 1)


def test_the_order_search_reads_day_first_dates(apr_client):
    response = apr_client.get(reverse("aprweb:orders"), {"sent_from": "01/01/2026", "sent_to": "31/12/2026"})
    assert response.context["form"].is_valid()
    fields = inputs(response)
    assert fields["id_sent_from"]["type"] == "text" and fields["id_sent_from"]["value"] == "01/01/2026"
    assert "dd/mm/aaaa" in response.content.decode()
