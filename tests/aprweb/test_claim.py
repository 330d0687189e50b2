"""Case takeover (outside test, issue 8 item 2): a case is the RT's who filed it, or is handed over by the
customer with a claim code; the customer sees and can revoke their RT; "Buscar" is throttled and logged."""

import pytest
from django.urls import reverse

from aprweb.models import AprOrder
from aprweb.selectors import case_for_order
from aprweb.services_orders import order_submit
from atende.services import case_commercial_approve
from gdportal.cases.choices import CaseState
from gdportal.cases.services import ServiceError
from gdportal.notifications.models import OutboundEmail
from gdportal.registry.models import LookupAudit
from tests import factories
from tests.aprweb.conftest import build_order, order_data
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db


def find(client, protocol, document, claim_code=""):
    return client.post(
        reverse("aprweb:order_new"),
        {
            "lookup": "1",
            "protocol": protocol,
            "person_type": "PF",
            "document": document,
            "claim_code": claim_code,
        },
    )


def test_the_customer_gets_a_claim_code_on_the_receipt_and_by_email(client, customer, awaiting_case):
    assert len(awaiting_case.claim_code) == 8
    client.force_login(customer)
    html = client.get(reverse("atende:receipt", args=[awaiting_case.protocol])).content.decode()
    assert awaiting_case.claim_code_display in html
    protocolled = OutboundEmail.objects.get(template="case_protocolled")
    assert awaiting_case.claim_code_display in protocolled.body_text


def test_an_rt_with_protocol_and_cpf_but_no_code_cannot_take_the_case(apr_client, awaiting_case):
    """The attack: a CPF read elsewhere plus guessed protocols found an unclaimed case."""
    document = awaiting_case.customer.document_display
    for code in ("", "AAAA-AAAA"):
        response = find(apr_client, awaiting_case.protocol, document, code)
        assert response.status_code == 400 and awaiting_case.ns not in response.content.decode()
    response = apr_client.post(
        reverse("aprweb:order_new"),
        {
            "register": "1",
            "protocol": awaiting_case.protocol,
            "person_type": "PF",
            "document": awaiting_case.customer.document,
            **order_data(),
        },
    )
    assert not AprOrder.objects.exists()
    awaiting_case.refresh_from_db()
    assert awaiting_case.rt is None


def test_the_service_alone_refuses_a_takeover_without_the_code(awaiting_case, rt, rt_registration):
    with pytest.raises(ServiceError):
        build_order(awaiting_case, rt, claim_code="")


def test_a_miss_reads_the_same_whether_the_protocol_exists_or_not(apr_client, awaiting_case):
    document = awaiting_case.customer.document_display
    existing = find(apr_client, awaiting_case.protocol, document).content.decode()
    missing = find(apr_client, "2026999999999", document).content.decode()

    def error(html):
        return html[
            html.index('class="alert alert-danger') : html.index("</div>", html.index("alert-danger"))
        ]

    assert error(existing) == error(missing)


def test_the_code_hands_the_case_over_once(apr_client, awaiting_case, rt, rt_registration):
    page = find(
        apr_client,
        awaiting_case.protocol,
        awaiting_case.customer.document_display,
        awaiting_case.claim_code_display.lower(),
    )
    assert awaiting_case.ns in page.content.decode()
    order = build_order(awaiting_case, rt)
    awaiting_case.refresh_from_db()
    assert awaiting_case.rt == rt and awaiting_case.claim_code == "" and order.rt == rt


def test_a_case_filed_by_an_rt_is_that_rt_s(customer, installation, rt, other_rt):
    case = make_case(customer, installation, rt=rt, state=CaseState.AWAITING_TECHNICAL)
    assert case.claim_code == ""
    assert case_for_order(rt=other_rt, protocol=case.protocol, document=case.document) is None
    assert case_for_order(rt=rt, protocol=case.protocol, document=case.document) == case


def test_buscar_is_throttled_per_rt_and_failures_are_logged(apr_client, awaiting_case, rt, settings, caplog):
    settings.GD_ORDER_SEARCH_FAILURES_PER_HOUR = 3
    document = awaiting_case.customer.document_display
    codes = [find(apr_client, f"202600000{n:04d}", document).status_code for n in range(5)]
    assert codes == [400, 400, 400, 429, 429]
    assert LookupAudit.objects.filter(user=rt, kind="order_search", succeeded=False).count() == 3
    assert "lookup failed" in caplog.text and "lookup throttled" in caplog.text
    # Even the right data waits: the throttle is not an oracle.
    right = find(apr_client, awaiting_case.protocol, document, awaiting_case.claim_code)
    assert right.status_code == 429


def test_buscar_is_throttled_per_address(client, awaiting_case, settings):
    settings.GD_ORDER_SEARCH_FAILURES_PER_HOUR = 1  # three per address
    codes = []
    for _ in range(4):
        rt = factories.RTFactory()
        client.post("/apr/", {"username": rt.cpf, "password": "Apr-" + factories.PASSWORD})
        codes.append(find(client, "2026000009999", awaiting_case.customer.document_display).status_code)
        client.logout()
    assert codes == [400, 400, 400, 429]


def test_the_customer_sees_and_revokes_their_rt(apr_client, customer, order, rt, other_rt):
    from django.test import Client

    case = order.case
    client = Client()
    client.force_login(customer)
    page = client.get(reverse("atende:status_detail", args=[case.protocol])).content.decode()
    assert rt.get_full_name() in page and reverse("atende:rt_revoke", args=[case.protocol]) in page
    client.post(reverse("atende:rt_revoke", args=[case.protocol]))
    case.refresh_from_db()
    assert case.rt is None and len(case.claim_code) == 8
    assert case.events.filter(action="rt_revoked").exists()
    assert OutboundEmail.objects.get(template="case_rt_revoked").to == [rt.email.lower()]
    assert case.claim_code_display in OutboundEmail.objects.get(template="case_claim_code").body_text
    # The former RT has lost the case, its order and its files.
    assert apr_client.get(reverse("aprweb:order", args=[order.pk])).status_code == 404
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the service itself
        order_submit(order=order, by=rt)
    # Another RT takes it with the new code.
    factories.RTRegistrationFactory(cpf=other_rt.cpf, email=other_rt.email, status="approved", user=other_rt)
    assert (
        case_for_order(
            rt=other_rt, protocol=case.protocol, document=case.document, claim_code=case.claim_code
        )
        == case
    )


def test_only_the_holder_may_revoke(client, rt, other_rt, order):
    case = order.case
    client.force_login(rt)
    assert client.post(reverse("atende:rt_revoke", args=[case.protocol])).status_code == 403
    client.force_login(other_rt)
    assert client.post(reverse("atende:rt_revoke", args=[case.protocol])).status_code == 404
    case.refresh_from_db()
    assert case.rt == rt


def test_an_rt_filed_case_after_ns_keeps_no_code(customer, installation, rt, commercial_analyst):
    case = make_case(customer, installation, rt=rt)
    case = case_commercial_approve(case=case, by=commercial_analyst)
    assert case.claim_code == "" and case.rt == rt
