"""Issue 12's journey in a real browser: the titular registers two receiving units with 60 % / 40 %, the
commercial analyst accepts, the utility's readings are imported, and the statement shows the balance and the
chart."""

import datetime as dt
from decimal import Decimal

from django.core.management import call_command
from playwright.sync_api import expect

from gdportal import demo as demo_data
from tests.e2e.test_apr_journey import admin_login
from tests.e2e.test_parecer_journey import customer_login


def test_receiving_units_to_statement(live_server, page, demo, settings, tmp_path):
    from compensation.models import AllocationSet, Generator
    from gdportal.registry.models import Installation

    settings.GD_ALLOCATION_NOTICE_DAYS = 0  # REN 1.000's "next cycle", so the test's readings apply at once
    base = live_server.url
    page.set_default_timeout(15000)
    plant = Installation.objects.get(number="3000000001")
    others = plant.customer.installations.active().exclude(pk=plant.pk)
    first_unit, second_unit = others.order_by("number")[:2]
    # A plant connected before the portal, as import_generators brings it.
    Generator.objects.create(
        installation=plant,
        connected_on=dt.date(2025, 6, 2),
        power_kw=Decimal("5.50"),
        source="solar",
        modality="remote",
        requested_on=dt.date(2025, 3, 10),
        gd_class="II",
    )

    customer_login(page, base)
    page.goto(base + "/atende/gd/compensacao/")
    page.locator(f"a[href$='/atende/gd/compensacao/{plant.number}/']").first.click()
    form = page.get_by_test_id("allocation-form")
    form.get_by_label("Tipo da unidade").select_option("remote")
    form.get_by_label("Nome").fill("Maria Aparecida Souza")
    form.get_by_label("E-mail").fill(demo_data.CUSTOMER_EMAIL)
    rows = form.locator("[data-rows] tr[data-row]")
    while rows.count() < 2:
        form.get_by_test_id("add-row").click()
    for index, (unit, percent) in enumerate(((first_unit, "60"), (second_unit, "40"))):
        form.locator(f"#id_rows-{index}-installation").fill(unit.number)
        form.locator(f"#id_rows-{index}-percent").fill(percent)
    form.get_by_role("button", name="Enviar o cadastro").last.click()
    expect(page.get_by_test_id("error-summary")).to_have_count(0)
    registration = AllocationSet.objects.get(generator__installation=plant)
    assert registration.status == "pending"

    admin_login(page, base, "analista.comercial")
    page.goto(base + f"/admin/compensation/allocationset/{registration.pk}/change/")
    page.locator("input[name=accept]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == "accepted"
    cycle = registration.first_cycle

    readings = tmp_path / "readings.csv"
    readings.write_text(
        "installation;cycle;consumed_kwh;injected_kwh\n"
        f"{plant.number};{cycle:%Y-%m};180;780\n"
        f"{first_unit.number};{cycle:%Y-%m};150;0\n"
        f"{second_unit.number};{cycle:%Y-%m};120;0\n",
        encoding="utf-8",
    )
    call_command("import_readings", str(readings))

    customer_login(page, base)
    page.goto(base + f"/compensacao/extrato/{first_unit.number}/")
    expect(page.get_by_test_id("cycle-row")).to_have_count(1)
    # 780 − 180 = 600 kWh of surplus; 60 % = 360 kWh reach this unit, which compensates what its bill allows
    # and keeps the rest as credit: a positive balance.
    expect(page.get_by_test_id("balance")).not_to_have_text("0,00 kWh")
    expect(page.locator("svg").first).to_be_visible()
    page.goto(base + "/compensacao/")
    expect(page.get_by_text(first_unit.number).first).to_be_visible()
