"""Solicitar estudos de inversão de fluxo (SPEC §15, REN 1.000 art. 78): the holder or the RT asks on the
case page or through the API; Cemig has 10 business days; the analysts are reminded, the board shows it
overdue, the breach is recorded and shown to the customer; the studies delivered in the admin close the clock
and e-mail the case's people. Others find nothing to ask about (404)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aprweb.services_technical import case_technical_suspend, version_verdict
from gdportal.cases.documents import latest_versions
from gdportal.cases.models import Breach, FlowStudiesRequest
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.sweep import sweep
from gdportal.notifications.models import OutboundEmail
from tests.api.conftest import token_client
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
# Monday 1 March 2027: no holiday in the three weeks these tests count (Carnaval was in February).
MONDAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=SP)


def at(moment):
    return time_machine.travel(moment, tick=False)


def suspend(case, analyst):
    art = latest_versions(case)["art"]
    version_verdict(version=art, by=analyst, verdict="nonconforming", note="ART sem comprovante")
    return case_technical_suspend(case=case, by=analyst, note="Corrigir a ART.")


@pytest.fixture
def suspended(submitted_order, technical_analyst):
    with at(MONDAY - dt.timedelta(days=3)):
        return suspend(submitted_order.case, technical_analyst)


def page(client, case):
    return client.get(reverse("atende:status_detail", args=[case.protocol])).content.decode()


def ask(client, case):
    return client.post(reverse("atende:flow_studies_request", args=[case.protocol]))


def studies_clock(case):
    return case.deadlines.get(kind="flow_studies")


def test_the_holder_asks_on_the_case_page_and_cemig_has_ten_business_days(client, suspended, customer, rt):
    client.force_login(customer)
    assert 'data-testid="flow-studies-request"' in page(client, suspended)
    with at(MONDAY):
        client.force_login(customer)
        response = ask(client, suspended)
    assert response.status_code == 302
    clock = studies_clock(suspended)
    assert clock.state == Deadline.State.OPEN
    # Ten business days after Monday 1 March: Monday 15 March, to the end of the day.
    assert clock.due_at == dt.datetime(2027, 3, 15, 23, 59, 59, tzinfo=SP)
    email = OutboundEmail.objects.get(template="flow_studies_requested")
    assert suspended.customer.email in email.to and rt.email in email.to
    html = page(client, suspended)
    assert "Estudos solicitados em 01/03/2027." in html and "até 15/03/2027" in html
    assert 'data-testid="flow-studies-request"' not in html  # one request waits at a time

    # The RT asking again while Cemig's clock runs is told why, and starts nothing.
    client.force_login(rt)
    answer = client.post(reverse("atende:flow_studies_request", args=[suspended.protocol]), follow=True)
    assert "Os estudos já foram solicitados" in answer.content.decode()
    assert FlowStudiesRequest.objects.filter(case=suspended).count() == 1


def test_the_rt_may_ask_too(client, suspended, rt):
    client.force_login(rt)
    assert ask(client, suspended).status_code == 302
    assert FlowStudiesRequest.objects.get(case=suspended).requested_by == rt


def test_an_outsider_or_another_rt_finds_nothing_to_ask_about(client, suspended, outsider, other_rt):
    for user in (outsider, other_rt):
        client.force_login(user)
        assert ask(client, suspended).status_code == 404
    assert not FlowStudiesRequest.objects.exists()


def test_before_any_decision_there_is_nothing_to_ask_for(client, submitted_order, customer):
    case = submitted_order.case
    client.force_login(customer)
    assert 'data-testid="flow-studies-request"' not in page(client, case)
    answer = ask(client, case)
    assert answer.status_code == 302
    assert not FlowStudiesRequest.objects.exists()


def test_the_clock_lapses_into_the_board_the_breach_is_recorded_and_delivery_closes_it(
    client, suspended, customer, rt, technical_analyst, django_capture_on_commit_callbacks
):
    with at(MONDAY):
        client.force_login(customer)
        ask(client, suspended)
    # Friday 12 March, past "2 business days before": the technical analysts are reminded.
    with at(dt.datetime(2027, 3, 12, 9, 0, tzinfo=SP)), django_capture_on_commit_callbacks(execute=True):
        sweep()  # the outbox row is sent, its recipients resolved
    reminder = OutboundEmail.objects.get(template="flow_studies_due")
    assert reminder.to == [technical_analyst.email]
    assert suspended.protocol in reminder.subject
    # Monday 15 March, the last day: not late yet.
    with at(dt.datetime(2027, 3, 15, 22, 0, tzinfo=SP)):
        sweep()
    assert studies_clock(suspended).overdue_at is None and not Breach.objects.exists()
    # Tuesday 16 March: overdue on the staff board, the breach recorded once.
    with at(dt.datetime(2027, 3, 16, 9, 0, tzinfo=SP)):
        sweep()
        sweep()
        client.force_login(technical_analyst)
        board = client.get(reverse("sla_board")).content.decode()
    assert suspended.protocol in board.split("Vence hoje")[0]
    assert "Entregar os estudos de inversão de fluxo (REN 1.000 art. 78)" in board
    breach = Breach.objects.get(case=suspended)
    assert (breach.article, breach.tipo, breach.regulatory_days, breach.verified_days) == (
        "art. 78",
        1,
        10,
        None,
    )
    assert suspended.events.filter(action="deadline_breached").count() == 1
    with at(dt.datetime(2027, 3, 16, 9, 0, tzinfo=SP)):
        client.force_login(customer)
        assert "Prazo regulatório descumprido em 1 dia" in page(client, suspended)

    # Thursday 18 March the analyst delivers the studies in the admin.
    request = FlowStudiesRequest.objects.get(case=suspended)
    url = reverse("admin:cases_flowstudiesrequest_change", args=[request.pk])
    with at(dt.datetime(2027, 3, 18, 11, 0, tzinfo=SP)):
        client.force_login(technical_analyst)
        assert (
            suspended.protocol
            in client.get(reverse("admin:cases_flowstudiesrequest_changelist")).content.decode()
        )
        refused = client.post(url, {"study_engineer": "Eng. Carla Menezes", "study_art": "MG20260012345"})
        assert refused.status_code == 400
        assert "Anexe o estudo de inversão de fluxo (PDF)" in refused.content.decode()
        study = SimpleUploadedFile("estudos.pdf", pdf_bytes(), content_type="application/pdf")
        response = client.post(
            url, {"study_file": study, "study_engineer": "Eng. Carla Menezes", "study_art": "MG20260012345"}
        )
    assert response.status_code == 302
    clock = studies_clock(suspended)
    assert clock.state == Deadline.State.MET
    breach.refresh_from_db()
    assert breach.verified_days == 13  # 2–5, 8–12 and 15–18 March
    delivered = OutboundEmail.objects.get(template="flow_studies_delivered")
    assert suspended.customer.email in delivered.to and rt.email in delivered.to
    client.force_login(rt)
    html = page(client, suspended)
    assert "Prazo regulatório descumprido em 3 dias" in html
    assert "Estudos entregues a pedido do titular" in html
    assert 'data-testid="flow-studies-request"' not in html  # delivered for the decision that stands


def test_the_api_asks_once_per_idempotency_key_and_hides_other_cases(suspended, rt, other_rt):
    api = token_client(rt)
    url = f"/api/v1/cases/{suspended.pk}/flow-studies-request/"
    first = api.post(url, format="json", HTTP_IDEMPOTENCY_KEY="estudos-1")
    assert first.status_code == 201, first.content
    again = api.post(url, format="json", HTTP_IDEMPOTENCY_KEY="estudos-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert FlowStudiesRequest.objects.filter(case=suspended).count() == 1
    other = token_client(other_rt)
    assert other.post(url, format="json", HTTP_IDEMPOTENCY_KEY="estudos-2").status_code == 404
    # Asked again with a new key while the clock runs: a conflict that says why.
    conflict = api.post(url, format="json", HTTP_IDEMPOTENCY_KEY="estudos-3")
    assert conflict.status_code == 409
    assert "Os estudos já foram solicitados" in conflict.json()["detail"]


def test_the_studies_are_still_owed_when_the_request_expires(client, suspended, customer):
    with at(dt.datetime(2027, 3, 22, 10, 0, tzinfo=SP)):
        client.force_login(customer)
        ask(client, suspended)
    # The 30 days to correct the pending items end on Monday 29 March: the request expires the next day…
    with at(dt.datetime(2027, 3, 30, 9, 0, tzinfo=SP)):
        sweep()
    suspended.refresh_from_db()
    assert suspended.state == "expired"
    # …but Cemig still owes the studies (art. 78): the holder needs them for a re-analysis.
    assert studies_clock(suspended).state == Deadline.State.OPEN
