"""The RT's deadline on the order list and on the order page (issue 10, item 10): each order shows the open
RT clock of its case (register, submit, correct) with its time left, the list sorts "most urgent first" with
keyset pages, and after "Enviar para análise" Cemig's own clock (the conformity check, SPEC §9) says when the
answer is due."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aprweb.search import search_orders
from aprweb.services_orders import order_submit
from aprweb.services_reanalysis import case_reanalysis_request
from aprweb.services_technical import case_technical_approve, case_technical_suspend, version_verdict
from gdportal.cases.choices import CaseState
from gdportal.cases.documents import latest_versions
from gdportal.deadlines import calendar
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.sweep import sweep
from tests import factories
from tests.aprweb.conftest import attach_all, build_order
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db

TZ = calendar.LOCAL_TZ
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
ORDER_ROW = re.compile(r'<a href="/apr/pedidos/(\d+)/">')


def open_clock(case, kind):
    return case.deadlines.get(kind=kind, state=Deadline.State.OPEN)


def judge(case, analyst, wrong=()):
    for kind, version in latest_versions(case).items():
        if kind != "identity":
            bad = kind in wrong
            version_verdict(
                version=version,
                by=analyst,
                verdict="nonconforming" if bad else "conforming",
                note="Corrigir" if bad else "",
            )
    factories.judge_generation(case, analyst)


def test_the_order_carries_its_case_rt_clock_through_every_step(order, rt, technical_analyst, customer):
    case = order.case
    order.refresh_from_db()
    # Registered: the 24-hour clock is met, the 2-business-day one runs.
    assert (order.due_at, order.due_kind) == (open_clock(case, "apr_submit").due_at, "apr_submit")
    attach_all(order, rt)
    order_submit(order=order, by=rt)
    order.refresh_from_db()
    assert (order.due_at, order.due_kind) == (None, "")  # Cemig's turn
    judge(case, technical_analyst, wrong=("art",))
    case_technical_suspend(case=case, by=technical_analyst)
    order.refresh_from_db()
    assert (order.due_at, order.due_kind) == (open_clock(case, "correction").due_at, "correction")
    # The 30 days pass: the sweep expires the case and the order has no deadline left.
    sweep(now=order.due_at + dt.timedelta(seconds=1))
    order.refresh_from_db()
    order.case.refresh_from_db()
    assert order.case.state == CaseState.EXPIRED and (order.due_at, order.due_kind) == (None, "")
    # Re-analysis: a new NS, new clocks to register and submit; the nearest one is the 24 hours.
    case_reanalysis_request(case=order.case, by=customer, rejected_ns=order.case.ns)
    order.refresh_from_db()
    assert (order.due_at, order.due_kind) == (open_clock(case, "apr_register").due_at, "apr_register")


def test_the_list_shows_the_deadline_and_sorts_the_most_urgent_first(
    apr_client, rt, rt_registration, customer, installation, technical_analyst
):
    with time_machine.travel(MONDAY, tick=False):
        waiting = build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
        sent = build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
        attach_all(sent, rt)
        order_submit(order=sent, by=rt)
        suspended = build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
        attach_all(suspended, rt)
        order_submit(order=suspended, by=rt)
        judge(suspended.case, technical_analyst, wrong=("art",))
        case_technical_suspend(case=suspended.case, by=technical_analyst)
        newest = build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False):
        apr_client.force_login(rt)  # (the session is the APR one the fixture opened)
        html = apr_client.get(reverse("aprweb:orders"), {"sort": "due_at"}).content.decode()
    rows = [int(pk) for pk in ORDER_ROW.findall(html)]
    # Submit by Wednesday 25/11 (two business days), then the correction (30 days), then Cemig's turn.
    assert rows == [waiting.pk, newest.pk, suspended.pk, sent.pk]
    assert "Seu prazo" in html
    assert "25/11/2026 23:59</time> <span" in html and "(faltam 2 dias úteis)" in html
    assert "(faltam 30 dias)" in html


def test_the_urgency_sort_keeps_a_fixed_number_of_queries(
    apr_client, rt, rt_registration, customer, installation
):
    build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
    url = reverse("aprweb:orders")
    apr_client.get(url, {"sort": "due_at"})
    with CaptureQueriesContext(connection) as one:
        apr_client.get(url, {"sort": "due_at"})
    for _ in range(6):
        build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
    with CaptureQueriesContext(connection) as seven:
        apr_client.get(url, {"sort": "due_at"})
    assert len(seven) == len(one), [q["sql"] for q in seven.captured_queries]


def test_the_urgency_sort_is_read_from_its_index(
    postgres, rt, rt_registration, customer, installation, technical_analyst
):
    """On PostgreSQL the (due_at, id) index delivers the order and every keyset range without a sort: the
    planner is told sorting is prohibitive, so a Sort node left in the plan means no index can serve it."""
    build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
    from aprweb.search import SORTS

    sort = SORTS["due_at"]
    staff = search_orders(technical_analyst, {"sort": "due_at"})
    ranges = sort.after(dt.datetime(2026, 11, 25, tzinfo=dt.UTC), 10) + sort.after(None, 10)
    queries = [staff] + [staff.filter(condition) for condition in ranges]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        for qs in queries:
            sql, params = qs[:26].query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "aprorder_due" in plan and "Sort" not in plan, plan


def test_after_sending_the_page_says_when_cemig_answers(
    apr_client, order, rt, customer, client, technical_analyst
):
    attach_all(order, rt)
    with time_machine.travel(MONDAY, tick=False):
        apr_client.force_login(rt)
        response = apr_client.post(reverse("aprweb:order_submit", args=[order.pk]), follow=True)
    html = response.content.decode()
    # Monday + 5 business days: Monday 30/11.
    assert "A resposta da Cemig é esperada até 30/11/2026" in html
    assert "Verificar a conformidade dos documentos (REN 1.000 art. 71)" in html
    assert "30/11/2026 23:59</time>" in html and "(faltam 5 dias úteis)" in html
    clock = open_clock(order.case, "technical_sla")
    assert calendar.local_date(clock.due_at) == dt.date(2026, 11, 30)
    # The customer no longer reads "no deadline running" while Cemig analyses.
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        client.force_login(customer)
        status = client.get(reverse("atende:status_detail", args=[order.protocol])).content.decode()
    assert "Nenhum prazo em curso" not in status and "Cemig — analista técnico" in status
    assert "(faltam 5 dias úteis)" in status
    # The decision stops Cemig's clock.
    judge(order.case, technical_analyst)
    case_technical_approve(case=order.case, by=technical_analyst)
    assert order.case.deadlines.get(kind="technical_sla").state == Deadline.State.MET


def test_a_resubmission_starts_a_new_conformity_clock(submitted_order, rt, technical_analyst, apr_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.files import pdf_bytes

    case = submitted_order.case
    judge(case, technical_analyst, wrong=("art",))
    case_technical_suspend(case=case, by=technical_analyst)
    assert not case.deadlines.filter(kind="technical_sla", state="open").exists()
    apr_client.post(
        reverse("aprweb:order_upload", args=[submitted_order.pk, "art"]),
        {"file": SimpleUploadedFile("art-2.pdf", pdf_bytes(2))},
    )
    order_submit(order=submitted_order, by=rt)
    assert case.deadlines.filter(kind="technical_sla").count() == 2
    assert case.deadlines.filter(kind="technical_sla", state="open").count() == 1


@pytest.mark.django_db(transaction=True)
def test_migrating_fills_the_due_dates_and_the_running_analyses_clocks(
    rt, rt_registration, customer, installation
):
    from django.db.migrations.executor import MigrationExecutor

    from aprweb.models import AprOrder

    def migrate(targets):
        MigrationExecutor(connection).migrate(targets)

    waiting = build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
    sent = build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
    attach_all(sent, rt)
    order_submit(order=sent, by=rt)
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        migrate([("aprweb", "0010_order_due_at")])  # the release before: no analysis clock, no copy
        AprOrder.objects.update(due_at=None, due_kind="")
        assert not Deadline.objects.filter(kind="technical_sla").exists()
        migrate(leaves)
    finally:
        migrate(leaves)
    waiting.refresh_from_db()
    assert (waiting.due_at, waiting.due_kind) == (open_clock(waiting.case, "apr_submit").due_at, "apr_submit")
    sent.refresh_from_db()
    assert sent.due_at is None
    clock = open_clock(sent.case, "technical_sla")
    sent.case.refresh_from_db()
    assert clock.started_at == sent.case.state_changed_at
    expected = calendar.add_business_days(calendar.local_date(clock.started_at), 5, closed=frozenset())
    assert calendar.local_date(clock.due_at) == expected
