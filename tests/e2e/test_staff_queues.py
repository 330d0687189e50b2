"""The analysts' queues at an ordinary laptop width (issue 10, item 19): the commercial queue's "Prazo" — the
column the analyst works by — must be on screen at 1280×800 without scrolling sideways."""

from playwright.sync_api import expect

from gdportal import demo as demo_data


def test_commercial_queue_shows_the_deadline_at_1280_px(live_server, page, demo):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "analista.comercial")
    page.fill("#id_password", demo_data.DEMO_PASSWORD)
    page.locator("input[type=submit]").click()
    page.goto(live_server.url + "/admin/atende/commercialqueue/")
    header = page.locator("#result_list thead th", has_text="Prazo")
    expect(header).to_be_visible()
    box = header.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
    # And nothing scrolls sideways: neither the page nor the list, whose last column was cut off.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    results = "document.querySelector('#changelist .results')"
    assert page.evaluate(f"{results}.scrollWidth <= {results}.clientWidth")
    # Each row's deadline is on screen too, not only the header.
    cell = page.locator("#result_list tbody tr").first.locator("td.field-sla_due")
    cell_box = cell.bounding_box()
    assert cell_box is not None and cell_box["x"] + cell_box["width"] <= 1280, cell_box
