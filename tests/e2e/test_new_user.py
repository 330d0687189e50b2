"""What a new customer hit in a real Chromium (issue 10): a double click, Back, form hints, lost files."""

import re

from playwright.sync_api import expect

from gdportal import demo as demo_data
from tests.e2e.test_access_request import login_atende
from tests.files import pdf_bytes

FORM = "/atende/gd/solicitar/instalacao/3000000001/"


def fill_micro(page, power="8,5"):
    page.fill("#id_power_kw", power)
    page.select_option("#id_source", "solar")
    page.select_option("#id_request_type", "without_increase")
    page.select_option("#id_modality", "local")


def test_a_double_click_on_send_files_once_and_back_leads_to_the_receipt(live_server, page, demo, tmp_path):
    from gdportal.cases.models import Case

    identity = tmp_path / "rg.pdf"
    identity.write_bytes(pdf_bytes())
    login_atende(page, live_server.url, demo_data.CUSTOMER_EMAIL)
    page.goto(live_server.url + FORM)
    fill_micro(page)
    page.set_input_files("#id_file_identity", str(identity))
    page.check("#id_declaration")
    page.get_by_role("button", name="Continuar: conferir os dados").click()
    expect(page.get_by_role("heading", name="Confira seus dados")).to_be_visible()

    page.get_by_role("button", name="Enviar solicitação").dblclick()
    protocol = page.get_by_test_id("protocol").inner_text()
    filed = Case.objects.filter(installation__number="3000000001").exclude(state="draft")
    assert list(filed.values_list("protocol", flat=True)) == [protocol]

    page.go_back()  # the confirmation page again, from the cache or reloaded
    send = page.get_by_role("button", name="Enviar solicitação")
    if send.count():  # a page restored from the back/forward cache: its button works again
        expect(send).to_be_enabled()
        send.click()
    expect(page.get_by_text(f"Esta solicitação já foi enviada: protocolo {protocol}.")).to_be_visible()
    expect(page.get_by_test_id("protocol")).to_have_text(protocol)
    assert filed.count() == 1


def test_the_send_button_posts_once_and_works_again_when_back_shows_the_page(
    live_server, page, demo, tmp_path
):
    """The server answers 204 (the browser stays on the page), so what the page does is seen: one post for a
    double click, the button disabled — and enabled again by pageshow, as when Back restores the page from the
    back/forward cache (which Playwright's Chromium runs without)."""
    identity = tmp_path / "rg.pdf"
    identity.write_bytes(pdf_bytes())
    login_atende(page, live_server.url, demo_data.CUSTOMER_EMAIL)
    page.goto(live_server.url + FORM)
    fill_micro(page)
    page.set_input_files("#id_file_identity", str(identity))
    page.check("#id_declaration")
    page.get_by_role("button", name="Continuar: conferir os dados").click()
    expect(page.get_by_role("heading", name="Confira seus dados")).to_be_visible()

    posts = []

    def hold(route):
        if route.request.method != "POST":
            return route.continue_()
        posts.append(route.request.url)
        return route.fulfill(status=204)

    page.route(re.compile(r".*/atende/gd/rascunho/\d+/$"), hold)
    send = page.get_by_role("button", name="Enviar solicitação")
    send.dblclick()
    expect(send).to_be_disabled()
    page.wait_for_timeout(300)
    assert len(posts) == 1
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(send).to_be_enabled()
    send.click()
    expect(send).to_be_disabled()
    page.wait_for_timeout(300)
    assert len(posts) == 2


def test_the_form_picks_the_motivo_and_shows_the_guarantee_only_where_it_applies(live_server, page, demo):
    login_atende(page, live_server.url, demo_data.CUSTOMER_EMAIL)
    page.goto(live_server.url + FORM)
    gfc = page.locator("[data-gfc-block]")
    expect(gfc).to_be_hidden()
    page.fill("#id_power_kw", "12")
    expect(page.locator("#id_reason")).to_have_value("micro_gt10")
    expect(page.locator("[data-reason-note]")).to_be_visible()
    page.fill("#id_power_kw", "1.200")  # a thousands dot, as the server reads it
    expect(page.locator("#id_reason")).to_have_value("mini")
    expect(gfc).to_be_visible()
    page.select_option("#id_modality", "shared")  # shared generation is exempt
    expect(gfc).to_be_hidden()
    page.select_option("#id_modality", "local")
    page.fill("#id_power_kw", "400")
    expect(gfc).to_be_hidden()

    uf = page.locator("#id_uf")
    expect(uf).to_have_value("MG")
    expect(uf).to_have_attribute("readonly", "")
    help_text = page.locator("#id_uf_helptext")
    line = float(help_text.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert help_text.bounding_box()["height"] < 1.5 * line  # one line, not one word per line


def test_a_failed_submit_keeps_the_chosen_file(live_server, page, demo, tmp_path):
    """Sent with the upload progress (XHR) and refused for the power: the file is shown attached and goes
    with the corrected form, without choosing it again."""
    from gdportal.cases.models import Case

    identity = tmp_path / "rg-e-cpf.pdf"
    identity.write_bytes(pdf_bytes())
    login_atende(page, live_server.url, demo_data.CUSTOMER_EMAIL)
    page.goto(live_server.url + FORM)
    fill_micro(page, power="12")
    page.select_option("#id_reason", "micro_le10")  # picked after the power: a mismatch
    page.set_input_files("#id_file_identity", str(identity))
    page.check("#id_declaration")
    page.get_by_role("button", name="Continuar: conferir os dados").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "Para 12 kW escolha “Microgeração com potência maior que 10 kW”."
    )
    expect(page.get_by_test_id("attached-identity")).to_contain_text("rg-e-cpf.pdf")

    page.select_option("#id_reason", "micro_gt10")
    page.get_by_role("button", name="Continuar: conferir os dados").click()
    expect(page.get_by_role("heading", name="Confira seus dados")).to_be_visible()
    expect(page.get_by_role("cell", name="rg-e-cpf.pdf")).to_be_visible()
    draft = Case.objects.filter(installation__number="3000000001", state="draft").get()
    assert re.fullmatch(r"[0-9a-f]{64}", draft.documents.get().sha256)
