"""The statement pages (SPEC §7.2 "Statement", §12 /compensacao/): results and lots are written by hand here,
with figures worked out in the comments, so the pages are tested apart from the ledger that computes them."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse

from compensation.extrato import CSV_COLUMNS, csv_rows
from compensation.models import CreditLot, CycleResult, Generator
from tests import factories

D = Decimal
ZERO = D("0")


def result(installation, cycle, **figures):
    values = {
        "consumed_kwh": ZERO,
        "injected_kwh": ZERO,
        "compensated_own_kwh": ZERO,
        "compensated_received_kwh": ZERO,
        "compensated_lots_kwh": ZERO,
        "received_kwh": ZERO,
        "credits_created_kwh": ZERO,
        "credits_used_kwh": ZERO,
        "credits_expired_kwh": ZERO,
        "credits_transferred_kwh": ZERO,
        "balance_kwh": ZERO,
        "energy_parcel_brl": ZERO,
        "parcel_without_gd_brl": ZERO,
    }
    values.update({name: D(value) for name, value in figures.items()})
    return CycleResult.objects.create(installation=installation, cycle=cycle, **values)


def lot(installation, origin, expires_after, remaining, gd_class="II"):
    return CreditLot.objects.create(
        installation=installation,
        customer=installation.customer,
        origin_cycle=origin,
        gd_class=gd_class,
        expires_after=expires_after,
        remaining_kwh=D(remaining),
    )


@pytest.fixture
def history(installation):
    """Three cycles of a generating unit, over two calendar years.

    Savings: 300.00 − 50.00 = 250.00; 385.40 − 48.10 = 337.30; 1,200.00 − 1,000.00 = 200.00 → 2025: 587.30,
    2026: 200.00, in all 787.30. Consumed in all: 300 + 400.5 + 1,234.567 = 1,935.067 → 1.935,07.
    Compensated in 2025-12: 200 (own) + 25.5 (received) + 150.255 (lots) = 375.755 → 375.76.
    Open lots: 1,234.567 (→ 1.234,57) and 10.005 (→ 10,01, half-up); balance 1,244.572 → 1.244,57.
    """
    Generator.objects.create(
        installation=installation,
        connected_on=dt.date(2025, 10, 15),
        power_kw=D("7.5"),
        source="solar",
        modality="local",
        requested_on=dt.date(2025, 6, 1),
        gd_class="II",
    )
    result(installation, dt.date(2025, 11, 1), consumed_kwh="300", injected_kwh="500",
           compensated_own_kwh="250", credits_created_kwh="250", balance_kwh="250",
           energy_parcel_brl="50.00", parcel_without_gd_brl="300.00")  # fmt: skip
    result(installation, dt.date(2025, 12, 1), consumed_kwh="400.5", injected_kwh="200",
           compensated_own_kwh="200", compensated_received_kwh="25.5", compensated_lots_kwh="150.255",
           received_kwh="25.5", credits_used_kwh="150.255", balance_kwh="99.745",
           energy_parcel_brl="48.10", parcel_without_gd_brl="385.40")  # fmt: skip
    result(installation, dt.date(2026, 1, 1), consumed_kwh="1234.567", injected_kwh="100",
           compensated_own_kwh="100", compensated_lots_kwh="99.745", credits_used_kwh="99.745",
           credits_expired_kwh="1.5", credits_transferred_kwh="2.25", balance_kwh="1244.572",
           energy_parcel_brl="1000.00", parcel_without_gd_brl="1200.00")  # fmt: skip
    lot(installation, dt.date(2025, 11, 1), dt.date(2030, 11, 1), "1234.567")
    lot(installation, dt.date(2026, 2, 1), dt.date(2031, 2, 1), "10.005", gd_class="I")
    lot(installation, dt.date(2025, 10, 1), dt.date(2030, 10, 1), "0")  # used up: not shown
    return installation


def url(installation, **query):
    address = reverse("statement:detail", args=[installation.number])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def page(client, user, installation, **query):
    client.force_login(user)
    response = client.get(url(installation, **query))
    assert response.status_code == 200
    return response.content.decode()


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_statement_shows_decimal_commas_totals_and_the_saving(client, customer, history):
    html = page(client, customer, history)
    text = text_of(html)
    assert html.count('data-testid="cycle-row"') == 3
    assert "1.935,07" in text  # consumed in all
    assert "375,76" in text  # 2025-12's compensated, from the three origins
    assert "R$ 787,30" in text  # saved in the period
    assert re.search(r'data-testid="saving">R\$ 787,30<', html)
    assert re.search(r'data-testid="balance">1.244,57 kWh<', html)
    # The yearly summary: two calendar years with their own savings.
    assert html.count('data-testid="year-row"') == 2
    assert re.findall(r'data-testid="year-saving">([^<]+)<', html) == ["587,30", "200,00"]
    # Balance by origin cycle: open lots only, the day each expires and the class of its energy.
    assert html.count('data-testid="lot-row"') == 2
    assert "30/11/2030" in text and "28/02/2031" in text
    assert "1.234,57" in text and "10,01" in text and "GD I" in text and "GD II" in text
    # No dot decimal leaks onto the page's figures.
    assert "1935.07" not in text and "787.30" not in text
    # Taxes, public lighting and bandeiras are said to be out.
    assert "Lei 14.300/2022, art. 19" in text
    # (English until the lead adds the pt-BR strings of this branch's .tsv, Portuguese after.)
    assert re.search("public lighting|iluminação pública", text)
    # Exports and the way back.
    assert "format=csv" in html and "format=pdf" in html
    assert reverse("statement:units") in html


def test_the_period_filter(client, customer, history):
    html = page(client, customer, history, **{"from": "2025-12", "to": "2025-12"})
    assert html.count('data-testid="cycle-row"') == 1
    assert re.search(r'data-testid="saving">R\$ 337,30<', html)
    assert "from=2025-12&amp;to=2025-12&amp;format=csv" in html
    wrong = page(client, customer, history, **{"from": "2025-13"})
    assert "aaaa-mm" in text_of(wrong) and 'id="error-summary"' in wrong
    assert wrong.count('data-testid="cycle-row"') == 3  # a bad filter shows everything, and says why
    reversed_period = page(client, customer, history, **{"from": "2026-01", "to": "2025-11"})
    assert 'id="error-summary"' in reversed_period


def test_the_csv_has_the_commands_columns_and_dot_decimals(client, customer, history):
    client.force_login(customer)
    response = client.get(url(history, format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"extrato-{history.number}.csv" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0] == (
        "cycle,consumed_kwh,injected_kwh,compensated_kwh,received_kwh,credits_created_kwh,credits_used_kwh,"
        "credits_expired_kwh,credits_transferred_kwh,balance_kwh,energy_parcel_brl,parcel_without_gd_brl"
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["cycle"] for row in rows] == ["2025-11", "2025-12", "2026-01"]
    assert rows[1] == {
        "cycle": "2025-12",
        "consumed_kwh": "400.50",
        "injected_kwh": "200.00",
        "compensated_kwh": "375.76",
        "received_kwh": "25.50",
        "credits_created_kwh": "0.00",
        "credits_used_kwh": "150.26",
        "credits_expired_kwh": "0.00",
        "credits_transferred_kwh": "0.00",
        "balance_kwh": "99.75",
        "energy_parcel_brl": "48.10",
        "parcel_without_gd_brl": "385.40",
    }
    assert rows[2]["credits_expired_kwh"] == "1.50" and rows[2]["credits_transferred_kwh"] == "2.25"
    assert rows[2]["consumed_kwh"] == "1234.57"  # no thousands separator, a dot
    # The function the lead may share with `compensation_statement` gives the same rows.
    assert csv_rows(history) == rows
    assert tuple(rows[0]) == CSV_COLUMNS
    # The period applies to the export too.
    period = client.get(url(history, **{"from": "2026-01", "format": "csv"}))
    assert period.content.decode().splitlines()[1:] == [",".join(rows[2].values())]
    assert "extrato-" in period["Content-Disposition"] and "de-2026-01" in period["Content-Disposition"]


def test_the_pdf_holds_the_installation_and_the_balance(client, customer, history):
    client.force_login(customer)
    response = client.get(url(history, format="pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert history.number in text
    assert "1.244,57" in text  # the balance, with the decimal comma
    assert "R$ 787,30" in text
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape


def test_the_chart_is_svg_with_at_most_13_points(client, customer, installation):
    first = dt.date(2024, 1, 1)
    for month in range(24):
        cycle = dt.date(first.year + month // 12, month % 12 + 1, 1)
        result(installation, cycle, consumed_kwh=str(100 + month), injected_kwh="150",
               balance_kwh=str(50 * month))  # fmt: skip
    html = page(client, customer, installation)
    assert html.count("<svg") == 1
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert '<title id="chart-title">' in svg and '<desc id="chart-desc">' in svg
    assert svg.count('data-testid="chart-point"') == 13
    assert svg.count('data-testid="chart-consumption"') == 13
    points = re.search(r'<polyline points="([^"]+)"', svg).group(1).split()
    assert len(points) == 13 and all(re.fullmatch(r"[\d.]+,[\d.]+", point) for point in points)
    # The last 13 cycles: 12/2024 to 12/2025; the figures' table holds the same ones.
    assert "12/24" in svg and "12/25" in svg and "11/24</text>" not in svg
    table = html[html.index('data-testid="chart-table"') : html.index("</details>")]
    assert table.count("<tr>") == 14  # header + 13 cycles
    assert "<script" not in svg and "cdn" not in html.lower()


def test_another_customer_gets_a_404_and_the_anonymous_the_sign_in(client, outsider, rt, history):
    assert client.get(url(history)).status_code == 302
    assert reverse("accounts:login") in client.get(url(history))["Location"]
    client.force_login(outsider)
    assert client.get(url(history)).status_code == 404
    assert client.get(url(history, format="csv")).status_code == 404
    assert client.get(url(history, format="pdf")).status_code == 404
    client.force_login(rt)
    assert client.get(url(history)).status_code == 404


def test_commercial_staff_open_any_statement_and_other_staff_do_not(client, commercial_analyst, history):
    html = page(client, commercial_analyst, history)
    assert "1.244,57" in html
    client.force_login(factories.StaffFactory(username="sem.papel"))
    assert client.get(url(history)).status_code == 404
    # The commercial analyst finds a unit by its number on /compensacao/.
    client.force_login(commercial_analyst)
    units = reverse("statement:units")
    assert client.get(units, {"installation": history.number})["Location"] == url(history)
    missing = client.get(units, {"installation": "0000000000"}).content.decode()
    assert "error-summary" in missing


def test_the_units_page_lists_the_titulars_units_with_their_balance(client, customer, outsider, history):
    receiver = factories.InstallationFactory(customer=history.customer)
    result(receiver, dt.date(2026, 1, 1), consumed_kwh="80", received_kwh="80",
           compensated_received_kwh="80")  # fmt: skip
    factories.InstallationFactory(customer=history.customer)  # not in the sistema de compensação
    client.force_login(customer)
    html = client.get(reverse("statement:units")).content.decode()
    assert html.count('data-testid="compensation-unit"') == 2
    assert re.search(r'data-testid="unit-balance">1.244,57<', html)
    assert re.search(r'data-testid="unit-balance">0,00<', html)
    assert url(history) in html and url(receiver) in html
    client.force_login(outsider)
    empty = client.get(reverse("statement:units")).content.decode()
    assert 'data-testid="empty"' in empty and reverse("atende:gd") in empty


def test_the_landing_and_gd_pages_link_the_units(client, customer):
    assert reverse("statement:units") in client.get(reverse("web:home")).content.decode()
    client.force_login(customer)
    assert reverse("statement:units") in client.get(reverse("atende:gd")).content.decode()


@pytest.mark.parametrize("viewer", ["customer", "commercial_analyst"])
def test_the_query_count_does_not_grow_with_the_cycles(
    client, request, installation, viewer, django_assert_max_num_queries
):
    user = request.getfixturevalue(viewer)
    client.force_login(user)

    def add_cycles(count, start):
        for month in range(start, start + count):
            cycle = dt.date(2020 + month // 12, month % 12 + 1, 1)
            result(installation, cycle, consumed_kwh="100", injected_kwh="120", balance_kwh=str(month))
            lot(installation, cycle, cycle.replace(year=cycle.year + 5), "1")

    add_cycles(3, 0)
    client.get(url(installation))
    with django_assert_max_num_queries(100) as few:
        assert client.get(url(installation)).status_code == 200
    add_cycles(21, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url(installation)).content.decode()
    assert html.count('data-testid="cycle-row"') == 24
