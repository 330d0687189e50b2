"""Issue 14 (SPEC §14, document checks on upload) in a real browser: the RT attaches an ART that does not
carry the ART number typed in the order, and the checklist warns beside it — without a page load."""

from playwright.sync_api import expect

from gdportal import demo as demo_data
from tests.files import text_pdf

ART_NUMBER = "MG2026001"


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
        art_number=ART_NUMBER,
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
    return order_register(case=case, rt=rt, order=order), rt


def test_the_rt_sees_the_missing_art_number_without_reloading(live_server, page, demo, tmp_path):
    order, rt = demo_order()
    base = live_server.url
    page.set_default_timeout(15000)
    page.goto(base + "/apr/")
    page.fill("#id_username", demo_data.RT_CPF)
    page.fill("#id_password", demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Consulta de pedidos")).to_be_visible()
    page.goto(base + f"/apr/pedidos/{order.pk}/")
    # A page load would drop this: it is still there only if the checklist was swapped in place.
    page.evaluate("window.sameDocument = true")

    art_file = tmp_path / "art.pdf"
    art_file.write_bytes(
        text_pdf(
            "ART - Anotacao de Responsabilidade Tecnica",
            "ART n. MG2099999",
            f"Profissional: {rt.get_full_name()}",
        )
    )
    art = page.locator("[data-kind=art]")
    art.locator("input[type=file]").set_input_files(str(art_file))
    art.get_by_role("button", name="Anexar").click()

    warning = page.locator("[data-kind=art] [data-testid=finding][data-code=art_number_missing]")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(ART_NUMBER)
    expect(page.locator("[data-kind=art]")).to_contain_text("art.pdf")  # a warning, not a refusal
    # The name on the ART is the RT's: that check stays silent.
    expect(page.locator("[data-kind=art] [data-code=art_rt_name_missing]")).to_have_count(0)
    assert page.evaluate("window.sameDocument") is True
