"""Issue 11's journey in a real browser: the technical approval → the analyst issues a favourable parecer →
the customer downloads the PDF, checks its code at /verificar/, accepts it and requests the inspection → the
inspector schedules and passes it → the customer's page says "Usina conectada"."""

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from gdportal import demo as demo_data
from tests.e2e.test_apr_journey import admin_login


def customer_login(page, base):
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mail").fill(demo_data.CUSTOMER_EMAIL)
    page.get_by_label("Senha").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()


def submit(page, action):
    """Press the submit button of the admin work page's form for `action` (each form posts its own)."""
    page.locator(f"form:has(input[name=action][value={action}]) input[type=submit]").click()


def _case_under_analysis():
    """Filed by the demo customer, handed to the demo RT, registered and sent in APR Web (stages 1–2)."""
    from django.contrib.auth import get_user_model

    from aprweb.services_orders import order_submit
    from atende import services as atende_services
    from gdportal.cases.choices import CaseState
    from gdportal.cases.rules import open_access_request
    from tests.aprweb.conftest import attach_all, build_order
    from tests.atende.conftest import make_case

    User = get_user_model()
    maria = User.objects.get(email=demo_data.CUSTOMER_EMAIL)
    rt = User.objects.get(email=demo_data.RT_EMAIL)
    installations = maria.customer.installations.active().order_by("number")
    free = next(i for i in installations if not open_access_request(i.pk))
    case = make_case(maria, free)
    assert case.state == CaseState.SUBMITTED
    commercial = User.objects.get(username="analista.comercial")
    case = atende_services.case_commercial_approve(case=case, by=commercial)
    order = build_order(case, rt)
    attach_all(order, rt)
    order_submit(order=order, by=rt)
    case.refresh_from_db()
    return case


def test_approval_to_connected_plant(live_server, page, demo_full):
    from gdportal.cases.models import Case
    from gdportal.notifications.models import OutboundEmail
    from parecer.models import Parecer

    base = live_server.url
    page.set_default_timeout(15000)
    case = _case_under_analysis()

    # The technical analyst approves the project on the review form, then issues the parecer from the queue.
    admin_login(page, base, "analista.tecnico")
    page.goto(base + f"/admin/aprweb/technicalqueue/{case.pk}/change/")
    verdicts = page.locator("fieldset.review-verdict")
    for index in range(verdicts.count()):
        verdicts.nth(index).locator("input[value=conforming]").check()
    page.get_by_label("Aprovar", exact=True).check()
    page.get_by_role("button", name="Salvar a análise").click()
    expect(page.locator(".messagelist")).to_contain_text("Projeto aprovado")

    page.goto(base + "/admin/parecer/parecerqueue/")
    page.get_by_role("link", name=case.protocol).click()
    expect(page.locator("#id_connection_point")).to_be_visible()
    page.select_option("#id_voltage", "BT")
    page.select_option("#id_phases", "single")
    page.select_option("#id_tariff_group", "B1")
    page.fill("#id_connection_point", "Alimentador BHAD-05, transformador 45 kVA n.º 123456")
    page.fill("#id_protection", "Disjuntor termomagnético e DPS conforme ND 5.30")
    submit(page, "issue")
    parecer = Parecer.objects.get(case=case)
    expect(page.locator(".messagelist")).to_contain_text(parecer.code_display)

    # The customer downloads the PDF: its text holds the protocol and the validity date.
    customer_login(page, base)
    page.goto(base + f"/atende/servicos/{case.protocol}/")
    expect(page.get_by_test_id("state")).to_have_text("Parecer de acesso emitido — aguardando aceite")
    with page.expect_download() as download:
        page.get_by_test_id("parecer-pdf").click()
    with open(download.value.path(), "rb") as pdf:
        data = pdf.read()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert case.protocol in text
    assert parecer.valid_until.strftime("%d/%m/%Y") in text

    # Anyone checks the code printed on it.
    page.goto(base + "/verificar/")
    page.get_by_label("Código de verificação").fill(parecer.code_display)
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_test_id("verify-found")).to_be_visible()
    expect(page.get_by_test_id("verify-protocol")).to_have_text(case.protocol)

    # Accept, then ask for the inspection with the issued parecer attached.
    page.goto(base + f"/atende/servicos/{case.protocol}/")
    page.get_by_role("link", name="Aceitar o parecer").click()
    page.get_by_role("button", name="Aceitar o parecer").click()
    expect(page.get_by_test_id("state")).to_have_text("Parecer de acesso aceito")
    page.get_by_role("link", name="Solicitar vistoria").click()
    form = page.get_by_test_id("inspection-form")
    expect(form.locator("#id_holder_name")).not_to_be_empty()
    form.locator("#id_declaration").check()
    form.get_by_role("button", name="Solicitar vistoria").click()
    expect(page.get_by_test_id("state")).to_have_text("Vistoria solicitada")

    # The inspector schedules the visit and passes it.
    admin_login(page, base, "vistoriador")
    page.goto(base + "/admin/parecer/inspectionqueue/")
    page.get_by_role("link", name=case.protocol).click()
    from django.utils import timezone

    today = timezone.localdate().strftime("%d/%m/%Y")
    page.fill("#id_schedule-date", today)
    page.locator("#id_schedule-period input[value=morning]").check()
    submit(page, "schedule")
    expect(page.locator(".messagelist")).to_be_visible()
    page.fill("#id_pass-visited_on", today)
    page.fill("#id_pass-meter_number", "MB-2026-778899")
    page.fill("#id_pass-connected_on", today)
    submit(page, "pass")
    expect(page.locator(".messagelist")).to_be_visible()

    customer_login(page, base)
    page.goto(base + f"/atende/servicos/{case.protocol}/")
    expect(page.get_by_test_id("state")).to_have_text("Usina conectada")
    expect(page.get_by_test_id("inspection-result")).to_contain_text("MB-2026-778899")
    assert Case.objects.get(pk=case.pk).state == "connected"

    sent = set(
        OutboundEmail.objects.filter(related_object=f"case:{case.pk}").values_list("template", flat=True)
    )
    for template in (
        "case_technical_approved",
        "parecer_issued",
        "parecer_accepted",
        "inspection_requested",
        "inspection_scheduled",
        "inspection_passed",
    ):
        assert template in sent, template
