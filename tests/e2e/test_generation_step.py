""" "Dados técnicos da geração" in a real browser (SPEC §16): the RT adds module and inverter rows in place
(htmx) and the totals follow what is typed (static/js/generation.js), then saves."""

from playwright.sync_api import expect

from gdportal import demo as demo_data


def test_rt_adds_module_and_inverter_rows_and_sees_the_totals(live_server, page, demo):
    from django.contrib.auth import get_user_model

    from aprweb.models import RTRegistration
    from gdportal.cases.choices import CaseState
    from gdportal.cases.models import Case
    from gdportal.generation.models import GenerationData
    from tests import factories
    from tests.aprweb.conftest import build_order

    rt = get_user_model().objects.get(email=demo_data.RT_EMAIL)
    if not RTRegistration.objects.filter(user=rt).exists():
        factories.RTRegistrationFactory(cpf=rt.cpf, email=rt.email, status="approved", user=rt)
    case = Case.objects.filter(rt=rt, state=CaseState.AWAITING_TECHNICAL).order_by("id").first()
    order = build_order(case, rt)

    base = live_server.url
    page.set_default_timeout(15000)
    page.goto(base + "/apr/")
    page.fill("#id_username", demo_data.RT_CPF)
    page.fill("#id_password", demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.goto(base + f"/apr/pedidos/{order.pk}/")
    page.get_by_test_id("generation-link").click()

    page.fill("#id_modules-0-manufacturer", "Canadian Solar")
    page.fill("#id_modules-0-model", "CS6W-550MS")
    page.fill("#id_modules-0-power_w", "550")
    page.fill("#id_modules-0-quantity", "10")
    expect(page.get_by_test_id("total-modules")).to_have_text("5,5")
    # A second module row, added in place: what was typed stays.
    page.get_by_test_id("add-modules").click()
    expect(page.locator("#id_modules-1-manufacturer")).to_be_visible()
    expect(page.locator("#id_modules-0-model")).to_have_value("CS6W-550MS")
    page.fill("#id_modules-1-manufacturer", "Jinko")
    page.fill("#id_modules-1-model", "Tiger Neo 450")
    page.fill("#id_modules-1-power_w", "450")
    page.fill("#id_modules-1-quantity", "2")
    expect(page.get_by_test_id("total-modules")).to_have_text("6,4")

    page.fill("#id_inverters-0-manufacturer", "Growatt")
    page.fill("#id_inverters-0-model", "MIN 3000TL-X")
    page.fill("#id_inverters-0-power_kw", "3")
    page.fill("#id_inverters-0-quantity", "1")
    page.fill("#id_inverters-0-voltage_v", "220")
    page.get_by_test_id("add-inverters").click()
    expect(page.locator("#id_inverters-1-manufacturer")).to_be_visible()
    page.fill("#id_inverters-1-manufacturer", "Growatt")
    page.fill("#id_inverters-1-model", "MIN 5000TL-X")
    page.fill("#id_inverters-1-power_kw", "5,5")
    page.fill("#id_inverters-1-quantity", "1")
    page.fill("#id_inverters-1-voltage_v", "220")
    expect(page.get_by_test_id("total-inverters")).to_have_text("8,5")

    page.locator("#id_declarations_3").check()  # 8.4
    page.locator("#id_declarations_4").check()  # 8.6
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("generation-step")).to_contain_text("8,5 kW")
    data = GenerationData.objects.get(case=case)
    assert [row.model for row in data.inverters.all()] == ["MIN 3000TL-X", "MIN 5000TL-X"]
    assert data.modules.count() == 2
