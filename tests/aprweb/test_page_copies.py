"""Rows and timelines kept rendered (issue 15, gdportal/web/templatetags/fragments.py) always show the case as
it is now: a state change, a new event, a clock that runs on, a new document — each is seen at once; a copy
kept for one person is never shown to another; and nothing of it needs Redis."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aprweb.models import AprOrder
from aprweb.services_orders import order_submit
from atende import services
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from tests import factories
from tests.aprweb.conftest import attach, attach_all, build_order
from tests.atende.conftest import make_case
from tests.files import pdf_bytes
from tests.test_outages import cache_down  # noqa: F401 — the fixture: Redis refuses every connection

pytestmark = pytest.mark.django_db


def label(state):
    with translation.override("pt-br"):
        return str(CaseState(state).label)


def order_row(client, order):
    html = client.get(reverse("aprweb:orders")).content.decode()
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if f"/apr/pedidos/{order.pk}/" in row]
    assert len(rows) == 1, html
    return rows[0]


def status_row(client, case):
    html = client.get(reverse("atende:status")).content.decode()
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if case.protocol in row]
    assert len(rows) == 1, html
    return rows[0]


def timeline(html):
    html = html.decode() if isinstance(html, bytes) else html
    return re.search(r'<ol class="timeline".*?</ol>', html, re.S).group(0)


def test_a_search_row_follows_its_order(apr_client, order, rt):
    before = order_row(apr_client, order)
    assert label(CaseState.AWAITING_TECHNICAL) in before and "<time" in before  # the RT's clock
    attach_all(order, rt)
    order_submit(order=order, by=rt)
    after = order_row(apr_client, order)
    assert label(CaseState.TECHNICAL_REVIEW) in after and label(CaseState.AWAITING_TECHNICAL) not in after
    assert re.search(r'data-testid="due">—</td>', after)  # Cemig's turn: no deadline of the RT's


def apr_sign_in(rt):
    browser = Client()
    response = browser.post("/apr/", {"username": rt.cpf, "password": "Apr-" + factories.PASSWORD})
    assert response.status_code == 302
    return browser


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("situation", CaseState.PENDING_CORRECTION, label(CaseState.PENDING_CORRECTION)),
        ("ns", "2099999999", "2099999999"),
        ("customer_name", "Outro Nome", "Outro Nome"),
        ("customer_number", "7777777777", "7777777777"),
        ("installation_number", "8888888888", "8888888888"),
        ("submitted_at", dt.datetime(2026, 3, 4, 13, 5, tzinfo=dt.UTC), "04/03/2026 10:05"),
        ("answered_at", dt.datetime(2026, 3, 5, 14, 6, tzinfo=dt.UTC), "05/03/2026 11:06"),
        ("due_at", dt.datetime(2031, 3, 6, 15, 7, tzinfo=dt.UTC), "06/03/2031 12:07"),
    ],
)
def test_each_value_a_search_row_shows_is_seen_once_it_changes(apr_client, order, column, value, shown):
    assert shown not in order_row(apr_client, order)
    AprOrder.objects.filter(pk=order.pk).update(**{column: value})
    assert shown in order_row(apr_client, order)


def test_the_time_left_in_a_search_row_runs_on(apr_client, order, rt):
    order.refresh_from_db()
    early = order_row(apr_client, order)
    with time_machine.travel(order.due_at + dt.timedelta(hours=2), tick=False):
        late = order_row(apr_sign_in(rt), order)  # a day later: a new sign-in
    assert "vencido" not in early and "vencido há 2 horas" in late


def test_a_row_kept_for_one_rt_is_never_shown_to_another(apr_client, order, other_rt, customer, installation):
    theirs = build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), other_rt)
    factories.RTRegistrationFactory(cpf=other_rt.cpf, email=other_rt.email, status="approved", user=other_rt)
    mine = apr_client.get(reverse("aprweb:orders")).content.decode()
    html = apr_sign_in(other_rt).get(reverse("aprweb:orders")).content.decode()
    assert order.protocol in mine and theirs.protocol not in mine
    assert theirs.protocol in html and f"/apr/pedidos/{order.pk}/" not in html


def test_the_filters_come_back_as_typed_each_time(apr_client):
    wrong = {"sent_from": "31/12/2026", "sent_to": "01/01/2026"}
    for _ in range(2):
        html = apr_client.get(reverse("aprweb:orders"), wrong).content.decode()
        assert "anterior ao início" in html and 'value="31/12/2026"' in html
    html = apr_client.get(reverse("aprweb:orders"), {"sent_from": "01/01/2026"}).content.decode()
    assert (
        "anterior ao início" not in html and 'value="01/01/2026"' in html and 'value="31/12/2026"' not in html
    )


def test_a_status_row_follows_its_case(client, customer, installation, commercial_analyst):
    case = make_case(customer, installation)
    client.force_login(customer)
    before = status_row(client, case)
    assert label(CaseState.SUBMITTED) in before and "Análise comercial da solicitação" in before
    case = services.case_commercial_approve(case=case, by=commercial_analyst)
    after = status_row(client, case)
    assert label(CaseState.AWAITING_TECHNICAL) in after and case.ns in after
    assert "cadastrar o pedido no APR Web" in after and "Análise comercial da solicitação" not in after


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("state", CaseState.APPROVED, label(CaseState.APPROVED)),
        ("ns", "2099999999", "2099999999"),
        ("kind", "consultation", "Consulta de acesso"),
    ],
)
def test_each_value_a_status_row_shows_is_seen_once_it_changes(
    client, customer, installation, column, value, shown
):
    case = make_case(customer, installation)
    client.force_login(customer)
    assert shown not in status_row(client, case)
    Case.objects.filter(pk=case.pk).update(**{column: value})
    assert shown in status_row(client, case)


def test_the_clock_in_a_status_row_runs_on(client, customer, installation):
    case = make_case(customer, installation)
    client.force_login(customer)
    clock = case.deadlines.get(state="open")
    early = status_row(client, case)
    with time_machine.travel(clock.due_at + dt.timedelta(hours=3), tick=False):
        client.force_login(customer)  # days later: a new sign-in
        late = status_row(client, case)
    assert "overdue" not in early and "vencido" not in early
    assert 'class="clock mb-2 overdue"' in late and "vencido há 3 horas" in late


def test_the_timelines_show_each_new_event(apr_client, order, rt, customer):
    def events(html):
        return re.findall(r"<strong>([^<]*)</strong>", timeline(html))

    case_url, order_url = (
        reverse("atende:status_detail", args=[order.case.protocol]),
        reverse("aprweb:order", args=[order.pk]),
    )
    client = Client()
    client.force_login(customer)
    before, order_before = events(client.get(case_url).content), events(apr_client.get(order_url).content)
    attach_all(order, rt)
    order_submit(order=order, by=rt)
    after, order_after = events(client.get(case_url).content), events(apr_client.get(order_url).content)
    assert before == order_before and after == order_after
    assert after == [*before, label(CaseState.TECHNICAL_REVIEW)]


def test_a_new_document_shows_on_the_order_page_at_once(apr_client, order, rt):
    url = reverse("aprweb:order", args=[order.pk])
    assert "memorial-v2.pdf" not in apr_client.get(url).content.decode()
    attach(order, "generation_memorial", rt, name="memorial-v2.pdf")
    assert "memorial-v2.pdf" in apr_client.get(url).content.decode()


def test_the_pages_need_no_redis(apr_client, order, rt, customer, cache_down):  # noqa: F811
    assert "apr/pedidos" in order_row(apr_client, order)
    assert apr_client.get(reverse("aprweb:order", args=[order.pk])).status_code == 200
    customer_client = Client()
    customer_client.force_login(customer)
    assert order.case.protocol in status_row(customer_client, order.case)
    page = customer_client.get(reverse("atende:status_detail", args=[order.case.protocol]))
    assert page.status_code == 200 and 'data-testid="timeline"' in page.content.decode()


def test_the_layout_speaks_each_visitors_language(client):
    portuguese = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    english = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Acompanhar uma solicitação pelo protocolo" in portuguese
    assert "Track a request by protocol" in english and "Acompanhar uma solicitação" not in english


def test_a_customer_with_fewer_cases_than_a_page_is_not_counted(client, customer, installation):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_case(customer, installation)
    client.force_login(customer)
    client.get(reverse("atende:status"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("atende:status"))
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def test_more_cases_than_a_page_are_paged(client, customer, installation):
    for _ in range(21):
        make_case(customer, installation)
    client.force_login(customer)
    first = client.get(reverse("atende:status")).content.decode()
    second = client.get(reverse("atende:status"), {"page": 2}).content.decode()
    assert first.count('data-testid="state"') == 20 and "Página 1 de 2" in first
    assert second.count('data-testid="state"') == 1 and "Página 2 de 2" in second
    newest = Case.objects.filter(customer=customer.customer).order_by("-submitted_at", "-id")
    assert newest[0].protocol in first and newest[20].protocol in second


def test_the_order_page_runs_a_fixed_number_of_queries(apr_client, order, rt, django_assert_max_num_queries):
    """The data step, the documents and the generated ones are read once (issue 15: two reads fewer), and
    more versions, events and clocks add none."""
    url = reverse("aprweb:order", args=[order.pk])
    attach_all(order, rt)  # every document, and the generation data with its inverters
    apr_client.get(url)
    with django_assert_max_num_queries(16) as before:  # the session and the user, then the page's
        apr_client.get(url)
    for kind in ("art", "generation_memorial", "aneel_registration"):
        attach(order, kind, rt, name=f"{kind}-v2.pdf", content=pdf_bytes(pages=2))
    order_submit(order=order, by=rt)  # an event, a clock closed and another started
    with django_assert_max_num_queries(len(before.captured_queries)):
        html = apr_client.get(url).content.decode()
    assert "aneel_registration-v2.pdf" in html
