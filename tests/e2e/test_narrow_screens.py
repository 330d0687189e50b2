"""Issue 10 item 12: at 375 px (a small phone) nothing scrolls sideways and the deadline ("Prazo") stays
readable. Tables turn into stacked cards; each cell says which column it was (data-label)."""

import re

import pytest
from playwright.sync_api import expect

from gdportal import demo as demo_data
from tests.files import pdf_bytes

WIDTH = 375


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 812}, locale="pt-BR", timezone_id="America/Sao_Paulo"
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def sign_in_atende(page, base):
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mail").fill(demo_data.CUSTOMER_EMAIL)
    page.get_by_label("Senha").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def sign_in_apr(page, base):
    page.goto(base + "/apr/")
    page.fill("#id_username", demo_data.RT_CPF)
    page.fill("#id_password", demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Consulta de pedidos")).to_be_visible()


def assert_fits(page, what):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{what} is {width} px wide at {WIDTH} px"


def assert_clock_visible(page, what):
    clock = page.get_by_test_id("clock").first
    expect(clock).to_be_visible()
    box = clock.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"{what}: the deadline is off screen ({box})"


def demo_order():
    from django.contrib.auth import get_user_model

    from aprweb.models import AprOrder
    from aprweb.services_orders import order_register
    from gdportal.cases.models import Case

    rt = get_user_model().objects.get(cpf=demo_data.RT_CPF)
    case = Case.objects.get(other_info="Demonstração: NS emitida")
    order = AprOrder(
        request_type="analyze_gd",
        phone="31988887777",
        project_type="BT",
        art_number="MG2026001",
        demand_kva="8.5",
        activity_type="residential",
        expected_connection="2027-03-01",
        plant_format="A3",
        street="Rua da Bahia",
        street_number="1000",
        district="Centro",
        cep="30160011",
        municipality="Belo Horizonte",
        has_power_converters=True,
    )
    return order_register(case=case, rt=rt, order=order), case


def test_customer_pages_fit_a_phone_and_show_the_deadline(live_server, phone, demo, tmp_path):
    from gdportal.cases.models import Case

    base = live_server.url
    case = Case.objects.get(other_info="Demonstração: NS emitida")
    sign_in_atende(phone, base)

    phone.goto(base + "/atende/servicos/")
    expect(phone.get_by_test_id("cases")).to_be_visible()
    assert_fits(phone, "the status list")
    assert_clock_visible(phone, "the status list")
    expect(phone.locator("[data-testid=cases] td[data-label=Prazo]").first).to_be_visible()

    phone.goto(base + f"/atende/servicos/{case.protocol}/")
    assert_fits(phone, "the case page")
    assert_clock_visible(phone, "the case page")

    phone.goto(base + "/atende/gd/solicitar/instalacao/3000000001/")
    expect(phone.get_by_test_id("request-form")).to_be_visible()
    assert_fits(phone, "the request form")
    # With every error shown (the longest messages), the form still fits.
    phone.get_by_role("button", name="Continuar: conferir os dados").click()
    expect(phone.locator("#error-summary")).to_be_visible()
    assert_fits(phone, "the request form with errors")

    identity = tmp_path / "rg-e-cpf.pdf"
    identity.write_bytes(pdf_bytes())
    phone.select_option("#id_reason", "micro_le10")
    phone.fill("#id_power_kw", "8,5")
    phone.select_option("#id_source", "solar")
    phone.select_option("#id_request_type", "without_increase")
    phone.select_option("#id_modality", "local")
    phone.set_input_files("#id_file_identity", str(identity))
    phone.check("#id_declaration")
    phone.get_by_role("button", name="Continuar: conferir os dados").click()
    expect(phone.get_by_role("heading", name="Confira seus dados")).to_be_visible()
    assert_fits(phone, "the answers to check (with the files' SHA-256)")


def test_apr_pages_fit_a_phone_and_show_the_deadline(live_server, phone, demo):
    base = live_server.url
    order, _case = demo_order()
    sign_in_apr(phone, base)

    assert_fits(phone, "the order list")
    expect(phone.locator("[data-testid=orders] td[data-label=Protocolo]").first).to_be_visible()

    phone.goto(base + f"/apr/pedidos/{order.pk}/")
    expect(phone.get_by_test_id("checklist")).to_be_visible()
    assert_fits(phone, "the order page")
    assert_clock_visible(phone, "the order page")

    phone.goto(base + "/apr/pedidos/novo/")
    assert_fits(phone, "the new order page")
