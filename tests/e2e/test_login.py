import re

from playwright.sync_api import expect

from gdportal import demo as demo_data


def test_demo_customer_signs_in_from_the_landing_page(live_server, page, demo):
    page.goto(live_server.url + "/")
    expect(page).to_have_title(re.compile("Início"))
    page.get_by_role("link", name="Entrar", exact=True).first.click()
    page.get_by_label("E-mail").fill(demo_data.CUSTOMER_EMAIL)
    page.get_by_label("Senha").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_test_id("user-name")).to_have_text("Maria Aparecida Souza")


def test_skip_link_is_the_first_thing_the_keyboard_reaches(live_server, page, demo):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Ir para o conteúdo principal" in focused
