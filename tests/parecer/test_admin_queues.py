"""Stage 3 in the admin (SPEC §6.1, §6.3, §6.4): the "Pareceres a emitir" queue and its work page, the issued
pareceres, the inspector's queue and its "Vistoria" page — each action through its service, each page behind
its group's permission, each queue in a fixed number of queries."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from gdportal.accounts import roles
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case, DecisionReason
from gdportal.deadlines.models import NonWorkingDay
from gdportal.deadlines.services import deadline_close, deadline_start
from parecer.models import Inspection, Parecer
from parecer.services import parecer_accept, parecer_clock_pause, parecer_issue
from parecer.services_inspection import inspection_request, inspection_schedule
from tests import factories
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db

QUEUE = "admin:parecer_parecerqueue_changelist"
INSPECTIONS = "admin:parecer_inspectionqueue_changelist"


@pytest.fixture
def inspector(db):
    return factories.StaffFactory(username="vistoriador", role=roles.INSPECTOR)


def approved(customer, installation, *, started_at=None, **fields):
    """An approved case with its parecer clock running.

    make_case files the request through the real services as far as stage 1; the technical analysis
    (stage 2, tested in tests/aprweb) is skipped by moving the state, and the parecer's clock is started as
    stage 2 does.
    """
    case = make_case(customer, installation, state=CaseState.APPROVED)
    if case.state != CaseState.APPROVED:
        deadline_close(subject=case)
        Case.objects.filter(pk=case.pk).update(state=CaseState.APPROVED, ns=f"9{case.pk:09d}")
    if fields:
        Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    deadline_close(subject=case, kinds=["parecer_sla"])
    deadline_start(subject=case, kind="parecer_sla", started_at=started_at)
    return case


PARECER = {
    "voltage": "BT",
    "phases": "two",
    "tariff_group": "B1",
    "connection_point": "Alimentador BHAD-05, transformador 45 kVA n.º 123456",
    "metering": "Medidor bidirecional",
    "protection": "Disjuntor termomagnético e DPS",
}


def issue_form(**overrides):
    return {"action": "issue", "favourable": "yes", "financial_participation": "0", **PARECER, **overrides}


def in_inspection(customer, installation, analyst):
    """A case walked through the services: parecer issued, accepted by the holder, inspection requested."""
    case = approved(customer, installation)
    parecer_issue(case=case, by=analyst, favourable=True, **PARECER)
    parecer_accept(case=case, by=customer)
    data = {
        name: getattr(case, name)
        for name in [
            "holder_name",
            "document",
            "street",
            "cep",
            "street_number",
            "district",
            "municipality",
            "email",
            "phone",
        ]
    }
    inspection_request(case=case, by=customer, data=data, declaration=True)
    case.refresh_from_db()
    assert case.state == CaseState.INSPECTION_REQUESTED
    return case


def field_block(html, name):
    """The markup of one field's row on a work page: its label, its input and the errors beside it."""
    start = html.index(f'data-field="{name}"')
    end = html.find('data-field="', start + 1)
    return html[start : end if end != -1 else len(html)]


def br_date(day):
    return day.strftime("%d/%m/%Y")


# --- Pareceres a emitir ------------------------------------------------------------------------------------


def test_the_queue_lists_approved_cases_most_urgent_first(client, technical_analyst, customer, installation):
    later = approved(customer, installation)  # 15 days
    mini = approved(customer, installation, reason="mini", power_kw=Decimal("300"))
    urgent = approved(customer, installation, started_at=timezone.now() - dt.timedelta(days=12))
    paused = approved(customer, installation, started_at=timezone.now() - dt.timedelta(days=5))
    parecer_clock_pause(case=paused, by=technical_analyst, reason="Consulta ao ONS")
    filed = make_case(customer, installation)  # still in the commercial check: not this queue's
    client.force_login(technical_analyst)
    html = client.get(reverse(QUEUE)).content.decode()
    rows = html[html.index('id="result_list"') :]
    order = [rows.index(case.protocol) for case in (urgent, paused, later, mini)]
    assert order == sorted(order)
    assert filed.protocol not in rows
    assert rows.count('class="queue-paused"') == 1
    assert "Mini" in rows and "300" in rows


def test_the_queue_row_opens_the_issue_page(client, technical_analyst, customer, installation):
    case = approved(customer, installation)
    client.force_login(technical_analyst)
    response = client.get(reverse("admin:parecer_parecerqueue_change", args=[case.pk]))
    assert response.status_code == 302
    assert response.url == reverse("admin:parecer_parecerqueue_issue", args=[case.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert case.protocol in html and case.ns in html and case.installation.number in html
    form = page.context["form"]
    # Prefilled from the installation and the technical analysis.
    assert form["voltage"].value() == "BT" and form["phases"].value() == "two"
    assert form["metering"].value() == "Medidor bidirecional"
    assert form["works_needed"].value() is False


def test_issuing_a_favourable_parecer_on_the_page(client, technical_analyst, customer, installation):
    case = approved(customer, installation)
    client.force_login(technical_analyst)
    url = reverse("admin:parecer_parecerqueue_issue", args=[case.pk])
    response = client.post(url, issue_form())
    assert response.status_code == 302 and response.url == reverse(QUEUE)
    case.refresh_from_db()
    assert case.state == CaseState.PARECER_ISSUED
    parecer = Parecer.objects.get(case=case)
    assert parecer.favourable and parecer.issued_by == technical_analyst
    assert parecer.document is not None and parecer.valid_until is not None
    assert parecer.connection_point == PARECER["connection_point"]
    # The verification code is shown once issued, and the case left the queue.
    html = client.get(response.url).content.decode()
    assert parecer.code_display in html
    assert case.protocol not in html[html.index('id="changelist"') :]
    # A second click (a stale page) is refused with the reason, and changes nothing.
    again = client.post(url, issue_form(), follow=True)
    assert again.redirect_chain == [(url, 302)]
    assert Parecer.objects.filter(case=case).count() == 1
    assert 'value="issue"' not in again.content.decode()
    assert [m.level_tag for m in again.context["messages"]] == ["error"]


def test_an_unfavourable_parecer_without_its_reason_is_refused_beside_the_field(
    client, technical_analyst, customer, installation
):
    case = approved(customer, installation)
    client.force_login(technical_analyst)
    url = reverse("admin:parecer_parecerqueue_issue", args=[case.pk])
    response = client.post(
        url, issue_form(favourable="no", unfavourable_reason="  ", protection="Relé de proteção típico")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"unfavourable_reason", "reasons"}  # the text and a reason from the catalogue
    html = response.content.decode()
    assert escape(errors["unfavourable_reason"][0]) in field_block(html, "unfavourable_reason")
    assert escape(errors["reasons"][0]) in field_block(html, "reasons")
    # What was typed stays; nothing was saved.
    assert "Relé de proteção típico" in field_block(html, "protection")
    assert 'value="no" id="id_favourable_1" checked' in html or re.search(
        r'<input[^>]*value="no"[^>]*checked', html
    )
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED and not Parecer.objects.exists()

    reason = DecisionReason.objects.get(code="rede-sem-capacidade")
    response = client.post(
        url,
        issue_form(favourable="no", unfavourable_reason="Transformador saturado.", reasons=[str(reason.pk)]),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.PARECER_UNFAVOURABLE
    assert Parecer.objects.get(case=case).unfavourable_reason == "Transformador saturado."
    assert list(case.decision_reasons.values_list("reason__code", "kind")) == [
        ("rede-sem-capacidade", "refusal")
    ]


def test_financial_participation_takes_the_decimal_comma_and_micro_pays_none(
    client, technical_analyst, customer, installation
):
    micro = approved(customer, installation)
    mini = approved(customer, installation, reason="mini", power_kw=Decimal("300"))
    client.force_login(technical_analyst)
    response = client.post(
        reverse("admin:parecer_parecerqueue_issue", args=[micro.pk]),
        issue_form(financial_participation="1.234,56"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    block = field_block(html, "financial_participation")
    assert escape(response.context["form"].errors["financial_participation"][0]) in block
    assert 'value="1.234,56"' in block
    assert not Parecer.objects.exists()

    response = client.post(
        reverse("admin:parecer_parecerqueue_issue", args=[mini.pk]),
        issue_form(financial_participation="1.234,56", voltage="MT", tariff_group="A4"),
    )
    assert response.status_code == 302
    assert Parecer.objects.get(case=mini).financial_participation == Decimal("1234.56")


def test_pausing_needs_a_reason_and_resuming_gives_the_days_back(
    client, technical_analyst, customer, installation
):
    case = approved(customer, installation)
    client.force_login(technical_analyst)
    url = reverse("admin:parecer_parecerqueue_issue", args=[case.pk])
    response = client.post(url, {"action": "pause", "reason": ""})
    assert response.status_code == 400 and "reason" in response.context["pause_form"].errors
    assert case.deadlines.get(kind="parecer_sla").paused_at is None

    assert client.post(url, {"action": "pause", "reason": "Consulta ao ONS"}).status_code == 302
    clock = case.deadlines.get(kind="parecer_sla")
    assert clock.paused_at is not None and clock.pause_reason == "Consulta ao ONS"
    assert "Consulta ao ONS" in client.get(url).content.decode()

    assert client.post(url, {"action": "resume"}).status_code == 302
    assert case.deadlines.get(kind="parecer_sla").paused_at is None


def test_the_inspector_cannot_open_the_parecer_queue(
    client, inspector, commercial_analyst, customer, installation
):
    case = approved(customer, installation)
    client.force_login(inspector)
    assert client.get(reverse(QUEUE)).status_code == 403
    assert client.get(reverse("admin:parecer_parecerqueue_issue", args=[case.pk])).status_code == 403
    assert (
        client.post(reverse("admin:parecer_parecerqueue_issue", args=[case.pk]), issue_form()).status_code
        == 403
    )
    # Nor may a commercial analyst issue it.
    client.force_login(commercial_analyst)
    assert (
        client.post(reverse("admin:parecer_parecerqueue_issue", args=[case.pk]), issue_form()).status_code
        == 403
    )
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED


def test_an_outsider_is_sent_to_the_admin_login(client, outsider, customer, installation):
    case = approved(customer, installation)
    client.force_login(outsider)
    for url in [
        reverse(QUEUE),
        reverse(INSPECTIONS),
        reverse("admin:parecer_parecerqueue_issue", args=[case.pk]),
        reverse("admin:parecer_inspectionqueue_work", args=[case.pk]),
        reverse("admin:parecer_parecer_changelist"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), url
    response = client.post(reverse("admin:parecer_parecerqueue_issue", args=[case.pk]), issue_form())
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED


def test_the_parecer_queue_runs_a_fixed_number_of_queries(
    client, technical_analyst, customer, installation, django_assert_max_num_queries
):
    for days in range(3):
        approved(customer, installation, started_at=timezone.now() - dt.timedelta(days=days))
    paused = Case.objects.filter(state=CaseState.APPROVED).first()
    parecer_clock_pause(case=paused, by=technical_analyst, reason="Consulta ao ONS")
    client.force_login(technical_analyst)
    url = reverse(QUEUE)
    client.get(url)
    with django_assert_max_num_queries(30) as three:
        html = client.get(url).content.decode()
    assert len(re.findall(r'<th class="field-protocol">', html)) == 3
    for days in range(27):
        approved(customer, installation, started_at=timezone.now() - dt.timedelta(days=days % 10))
    with django_assert_max_num_queries(len(three.captured_queries)):
        html = client.get(url).content.decode()
    assert len(re.findall(r'<th class="field-protocol">', html)) == 30


# --- The issued pareceres ----------------------------------------------------------------------------------


def test_the_parecer_list_links_the_pdf_and_records_the_payment(
    client, technical_analyst, commercial_analyst, customer, installation
):
    case = approved(customer, installation, reason="mini", power_kw=Decimal("300"))
    parecer = parecer_issue(
        case=case,
        by=technical_analyst,
        favourable=True,
        **{**PARECER, "voltage": "MT", "tariff_group": "A4"},
        financial_participation=Decimal("12500"),
    )
    client.force_login(commercial_analyst)
    html = client.get(reverse("admin:parecer_parecer_changelist")).content.decode()
    pdf = reverse("atende:document", args=[parecer.document_id]) + "?inline=1"
    assert escape(pdf) in html and "R$ 12.500,00" in html
    url = reverse("admin:parecer_parecer_change", args=[parecer.pk])
    assert client.post(url, {"action": "payment", "reference": "Boleto 123"}).status_code == 302
    parecer.refresh_from_db()
    assert parecer.paid_at is not None and parecer.payment_note == "Boleto 123"
    # The technical analyst does not record payments.
    client.force_login(technical_analyst)
    assert client.post(url, {"action": "payment", "reference": "x"}).status_code == 403


def test_the_technical_analyst_marks_the_grid_works_done(client, technical_analyst, customer, installation):
    case = approved(customer, installation)
    parecer = parecer_issue(
        case=case,
        by=technical_analyst,
        favourable=True,
        works_needed=True,
        works_description="Troca do transformador",
        works_deadline_days=60,
        **PARECER,
    )
    parecer_accept(case=case, by=customer)
    client.force_login(technical_analyst)
    url = reverse("admin:parecer_parecer_change", args=[parecer.pk])
    assert 'value="works_done"' in client.get(url).content.decode()
    assert client.post(url, {"action": "works_done", "note": "Concluída"}).status_code == 302
    parecer.refresh_from_db()
    assert parecer.works_done_at is not None and not parecer.works_pending
    # Done once: the form is gone, and a stale second post is refused without a change.
    assert 'value="works_done"' not in client.get(url).content.decode()
    response = client.post(url, {"action": "works_done", "note": ""}, follow=True)
    assert response.redirect_chain == [(url, 302)]


def test_staff_cancel_only_with_the_holders_written_request(
    client, commercial_analyst, technical_analyst, customer, installation
):
    case = approved(customer, installation)
    parecer = parecer_issue(case=case, by=technical_analyst, favourable=True, **PARECER)
    client.force_login(commercial_analyst)
    url = reverse("admin:parecer_parecer_change", args=[parecer.pk])
    response = client.post(url, {"action": "cancel", "reason": ""})
    assert response.status_code == 400 and "reason" in response.context["forms"]["cancel"].errors
    case.refresh_from_db()
    assert case.state == CaseState.PARECER_ISSUED
    response = client.post(url, {"action": "cancel", "reason": "Carta do titular de 01/12/2026"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CANCELLED
    assert "Carta do titular de 01/12/2026" in case.events.get(action="parecer_cancelled").note


def test_the_parecer_pages_are_scoped_and_read_only(
    client, inspector, technical_analyst, customer, installation
):
    case = approved(customer, installation)
    parecer = parecer_issue(case=case, by=technical_analyst, favourable=True, **PARECER)
    client.force_login(inspector)
    # Not in inspection: the inspector does not see it at all.
    assert (
        parecer.case.protocol not in client.get(reverse("admin:parecer_parecer_changelist")).content.decode()
    )
    assert client.get(reverse("admin:parecer_parecer_change", args=[parecer.pk])).status_code == 404
    client.force_login(technical_analyst)
    assert client.get(reverse("admin:parecer_parecer_change", args=[parecer.pk])).status_code == 200
    assert client.get(reverse("admin:parecer_parecer_delete", args=[parecer.pk])).status_code == 403
    assert client.get(reverse("admin:parecer_parecer_add")).status_code == 403


# --- The inspector ----------------------------------------------------------------------------------------


def test_schedule_then_pass_on_the_vistoria_page_connects_the_plant(
    client, inspector, technical_analyst, customer, installation
):
    case = in_inspection(customer, installation, technical_analyst)
    client.force_login(inspector)
    html = client.get(reverse(INSPECTIONS)).content.decode()
    assert case.protocol in html
    response = client.get(reverse("admin:parecer_inspectionqueue_change", args=[case.pk]))
    url = reverse("admin:parecer_inspectionqueue_work", args=[case.pk])
    assert response.status_code == 302 and response.url == url
    page = client.get(url).content.decode()
    parecer = case.pareceres.get()
    assert escape(reverse("atende:document", args=[parecer.document_id]) + "?inline=1") in page
    assert case.holder_name in page

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        url, {"action": "schedule", "schedule-date": br_date(tomorrow), "schedule-period": "morning"}
    )
    assert response.status_code == 302 and response.url == url
    inspection = Inspection.objects.get(case=case)
    assert inspection.scheduled_for == tomorrow and inspection.period == "morning"

    today = timezone.localdate()
    response = client.post(
        url,
        {
            "action": "pass",
            "pass-visited_on": br_date(today),
            "pass-meter_number": "BD-778899",
            "pass-connected_on": today.isoformat(),
        },
    )
    assert response.status_code == 302 and response.url == reverse(INSPECTIONS)
    case.refresh_from_db()
    assert case.state == CaseState.CONNECTED
    inspection.refresh_from_db()
    assert inspection.meter_number == "BD-778899" and inspection.connected_on == today


def test_a_failure_needs_its_report_and_keeps_what_was_typed(
    client, inspector, technical_analyst, customer, installation
):
    case = in_inspection(customer, installation, technical_analyst)
    client.force_login(inspector)
    url = reverse("admin:parecer_inspectionqueue_work", args=[case.pk])
    typed = br_date(timezone.localdate())
    response = client.post(url, {"action": "fail", "fail-visited_on": typed, "fail-report": " \n  "})
    assert response.status_code == 400
    form = response.context["forms"]["fail"]
    assert "report" in form.errors
    html = response.content.decode()
    assert escape(form.errors["report"][0]) in field_block(html, "report")
    assert f'value="{typed}"' in html
    case.refresh_from_db()
    assert case.state == CaseState.INSPECTION_REQUESTED
    assert Inspection.objects.get(case=case).visited_on is None

    response = client.post(
        url,
        {
            "action": "fail",
            "fail-visited_on": typed,
            "fail-report": "Falta placa de advertência\nDPS ausente",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.INSPECTION_FAILED
    assert Inspection.objects.get(case=case).report_items == ["Falta placa de advertência", "DPS ausente"]


def test_a_bad_date_is_refused_beside_its_field(client, inspector, technical_analyst, customer, installation):
    case = in_inspection(customer, installation, technical_analyst)
    client.force_login(inspector)
    url = reverse("admin:parecer_inspectionqueue_work", args=[case.pk])
    response = client.post(url, {"action": "schedule", "schedule-date": "31/02/2027", "schedule-period": ""})
    assert response.status_code == 400
    assert set(response.context["forms"]["schedule"].errors) == {"date"}
    response = client.post(url, {"action": "visit", "visit-visited_on": ""})
    assert response.status_code == 400 and "visited_on" in response.context["forms"]["visit"].errors
    assert (
        client.post(url, {"action": "visit", "visit-visited_on": br_date(timezone.localdate())}).status_code
        == 302
    )
    assert case.deadlines.filter(kind="inspection_report", state="open").exists()


def test_the_technical_analyst_cannot_post_to_the_inspection_forms(
    client, inspector, technical_analyst, customer, installation
):
    case = in_inspection(customer, installation, technical_analyst)
    client.force_login(technical_analyst)
    url = reverse("admin:parecer_inspectionqueue_work", args=[case.pk])
    today = timezone.localdate()
    for data in [
        {"action": "schedule", "schedule-date": br_date(today), "schedule-period": "morning"},
        {
            "action": "pass",
            "pass-visited_on": br_date(today),
            "pass-meter_number": "1",
            "pass-connected_on": br_date(today),
        },
        {"action": "fail", "fail-visited_on": br_date(today), "fail-report": "x"},
    ]:
        assert client.post(url, data).status_code == 403
    case.refresh_from_db()
    assert case.state == CaseState.INSPECTION_REQUESTED
    assert Inspection.objects.get(case=case).scheduled_for is None
    # The inspector may not open a case outside inspection: it does not exist for them.
    client.force_login(inspector)
    other = approved(customer, installation)
    assert client.get(reverse("admin:parecer_inspectionqueue_work", args=[other.pk])).status_code == 404


def test_the_inspection_queue_is_ordered_by_due_date_in_a_fixed_number_of_queries(
    client, inspector, technical_analyst, customer, installation, django_assert_max_num_queries, monkeypatch
):
    # The cache answers nothing: every read of the closed days goes to the table (business-day clocks).
    monkeypatch.setattr("gdportal.deadlines.models.cache_get_or_set", lambda key, compute, timeout: compute())
    NonWorkingDay.objects.create(
        date=timezone.localdate() + dt.timedelta(days=2), description="Feriado municipal"
    )
    cases = [in_inspection(customer, installation, technical_analyst) for _ in range(3)]
    inspection_schedule(
        case=cases[0], by=inspector, date=timezone.localdate() + dt.timedelta(days=1), period="afternoon"
    )
    # The last one requested first: the most urgent.
    cases[2].deadlines.filter(kind="inspection").update(due_at=timezone.now() + dt.timedelta(hours=5))
    client.force_login(inspector)
    url = reverse(INSPECTIONS)
    client.get(url)
    with django_assert_max_num_queries(30) as three:
        html = client.get(url).content.decode()
    rows = html[html.index('id="result_list"') :]
    assert rows.index(cases[2].protocol) < rows.index(cases[0].protocol) < rows.index(cases[1].protocol)
    assert "BT" in rows and br_date(timezone.localdate() + dt.timedelta(days=1)) in rows
    for _ in range(27):
        in_inspection(customer, installation, technical_analyst)
    with django_assert_max_num_queries(len(three.captured_queries)):
        html = client.get(url).content.decode()
    assert len(re.findall(r'<th class="field-protocol">', html)) == 30


def test_the_inspection_list_is_read_only_and_scoped(
    client, inspector, commercial_analyst, technical_analyst, customer, installation
):
    case = in_inspection(customer, installation, technical_analyst)
    inspection = Inspection.objects.get(case=case)
    client.force_login(inspector)
    html = client.get(reverse("admin:parecer_inspection_changelist")).content.decode()
    assert case.protocol in html
    page = client.get(reverse("admin:parecer_inspection_change", args=[inspection.pk]))
    assert page.status_code == 200 and case.document not in page.content.decode()
    # The commercial analyst's group has no view of inspections.
    client.force_login(commercial_analyst)
    assert client.get(reverse("admin:parecer_inspection_changelist")).status_code == 403
