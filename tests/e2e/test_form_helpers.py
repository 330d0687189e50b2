"""Issue 10 item 13 in a real browser: the error summary takes the focus and leads to the field; masks accept
typed and pasted values with or without punctuation; dates are dd/mm/aaaa whatever the browser's language."""

import datetime as dt
import re

from playwright.sync_api import expect

from gdportal import demo as demo_data


def test_the_error_summary_takes_the_focus_and_its_links_lead_to_the_field(live_server, page):
    page.goto(live_server.url + "/acompanhamento/")
    page.get_by_role("button", name="Buscar").click()
    expect(page).to_have_title(re.compile("^Erro: "))
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Preencha o campo “Número do protocolo”.")
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_protocol")).to_be_focused()


def test_masks_accept_typed_and_pasted_values(live_server, page):
    page.goto(live_server.url + "/acompanhamento/")
    page.fill("#id_document", "52998224725")  # pasted without punctuation
    expect(page.locator("#id_document")).to_have_value("529.982.247-25")
    page.fill("#id_document", "12.abc.345/01de-35")  # an alphanumeric CNPJ, lower case
    expect(page.locator("#id_document")).to_have_value("12.ABC.345/01DE-35")
    page.fill("#id_protocol", "2026 0000 00002")
    expect(page.locator("#id_protocol")).to_have_value("2026000000002")

    page.goto(live_server.url + "/apr/cadastro/")
    page.locator("#id_cep").press_sequentially("30160011")  # typed digit by digit
    expect(page.locator("#id_cep")).to_have_value("30160-011")
    page.locator("#id_cpf").press_sequentially("52998224725")
    expect(page.locator("#id_cpf")).to_have_value("529.982.247-25")

    # An e-mail in the APR CPF box is left as typed, so the server can say to use the CPF.
    page.goto(live_server.url + "/apr/")
    page.fill("#id_username", "rt@exemplo.com")
    expect(page.locator("#id_username")).to_have_value("rt@exemplo.com")
    page.fill("#id_password", "qualquer")
    page.get_by_role("button", name="Entrar").click()
    expect(page.locator("#error-summary")).to_contain_text("Use o CPF (11 dígitos), não o e-mail.")


def test_dates_are_day_first_in_an_english_browser(live_server, browser, demo):
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from aprweb.models import AprOrder
    from gdportal.cases.models import Case

    # The browser's own language is English (an <input type=date> would show mm/dd/yyyy); the portal's pages
    # stay in Portuguese (its language cookie).
    base = live_server.url
    context = browser.new_context(locale="en-US", timezone_id="America/Sao_Paulo")
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "pt-br", "url": base}])
    page = context.new_page()
    page.goto(base + "/apr/")
    page.fill("#id_username", demo_data.RT_CPF)
    page.fill("#id_password", demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()

    page.locator("#id_sent_from").press_sequentially("01012026")
    expect(page.locator("#id_sent_from")).to_have_value("01/01/2026")
    page.fill("#id_sent_to", "2026-12-31")  # what a date picker or a password manager puts there
    expect(page.locator("#id_sent_to")).to_have_value("31/12/2026")
    page.get_by_role("button", name="Buscar", exact=True).click()
    expect(page.locator("#id_sent_from")).to_have_value("01/01/2026")
    expect(page.locator("#error-summary")).to_have_count(0)

    case = Case.objects.get(other_info="Demonstração: NS emitida")
    page.goto(base + "/apr/pedidos/novo/")
    page.fill("#id_protocol", case.protocol)
    page.select_option("#id_person_type", "PF")
    page.fill("#id_document", case.customer.document)
    page.get_by_role("button", name="Buscar").click()
    page.fill("#id_art_number", "MG20260001")
    page.locator("#id_expected_connection").press_sequentially("01022027")
    expect(page.locator("#id_expected_connection")).to_have_value("01/02/2027")
    page.select_option("#id_plant_format", "A3")
    page.get_by_role("button", name="Cadastrar pedido").click()
    expect(page.get_by_test_id("checklist")).to_be_visible()
    order = AprOrder.objects.get(case=case)
    assert order.expected_connection == dt.date(2027, 2, 1)
    assert order.rt == get_user_model().objects.get(cpf=demo_data.RT_CPF)
    context.close()
