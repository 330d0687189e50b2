"""The flow-inversion calculator (SPEC §7.3): the rule, the public page /calculadora/, and the figure on the
Atende request form."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from gdportal.registry import flow_inversion
from gdportal.registry.flow_inversion import average_consumption, compatible_power_kw
from gdportal.registry.models import ConsumptionReading, InstallationClass
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/calculadora/"


def add_readings(installation, values, last=dt.date(2026, 10, 1)):
    """One reading a month going back from `last`: values[0] is the newest."""
    months = []
    year, month = last.year, last.month
    for _ in values:
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    pairs = zip(months, values, strict=True)
    ConsumptionReading.objects.bulk_create(
        ConsumptionReading(installation=installation, month=m, kwh=kwh) for m, kwh in pairs
    )


def text_of(page, name):
    """The text inside the element marked data-testid=name, tags removed and whitespace collapsed."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{name}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, name
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match[2])).split())


# --- the rule ---


def test_the_formula_by_hand():
    # 500 × 0.46 / (0.16 × 730) = 230 / 116.8 = 1.969… → 1.97
    assert compatible_power_kw("residential", 500) == Decimal("1.97")
    assert compatible_power_kw(InstallationClass.RESIDENTIAL, Decimal("500")) == Decimal("1.97")


@pytest.mark.parametrize(
    ("installation_class", "factor"),
    [
        ("residential", "0.46"),
        ("commercial", "0.63"),
        ("rural", "0.53"),
        ("public_service", "0.57"),
        ("industrial", "0.69"),
        ("public_power", "0.63"),
    ],
)
def test_each_class_has_its_factor(installation_class, factor):
    assert flow_inversion.adjustment_factor(installation_class) == Decimal(factor)
    expected = (Decimal(1000) * Decimal(factor) / (Decimal("0.16") * 730)).quantize(Decimal("0.01"))
    assert compatible_power_kw(installation_class, 1000) == expected


def test_every_registry_class_has_a_factor_and_public_power_uses_commerces():
    assert set(flow_inversion.ADJUSTMENT_FACTORS) == set(InstallationClass)
    assert compatible_power_kw("public_power", 777) == compatible_power_kw("commercial", 777)


def test_rounded_half_up_at_the_end():
    # 438 × 0.46 / 116.8 = 1.725 exactly: half-up gives 1.73 (banker's rounding would give 1.72).
    assert compatible_power_kw("residential", 438) == Decimal("1.73")


def test_the_capacity_factor_is_a_setting(settings):
    settings.GD_CALCULATOR_CAPACITY_FACTOR = "0.2"
    # 500 × 0.46 / (0.2 × 730) = 230 / 146 = 1.575… → 1.58
    assert compatible_power_kw("residential", 500) == Decimal("1.58")


def test_the_average_is_of_the_last_12_readings_in_one_query(installation, django_assert_num_queries):
    # The 12 newest average 600; the two oldest (which would pull it down) are left out.
    add_readings(installation, [500, 700] * 6 + [1, 1])
    with django_assert_num_queries(1):
        average = average_consumption(installation)
    assert average == (Decimal("600.00"), 12)


def test_fewer_readings_average_what_there_is_and_none_without(installation):
    assert average_consumption(installation) is None
    add_readings(installation, [100, 200, 201])
    assert average_consumption(installation) == (Decimal("167.00"), 3)


# --- the public page ---


def test_anonymous_visitors_get_the_form_the_table_and_the_notes(client):
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("calculator") == URL
    assert 'name="installation_class"' in page and 'name="average_kwh"' in page
    assert 'data-testid="calculator-pick"' not in page  # no installations to pick from
    assert 'data-testid="calculator-result"' not in page
    factors = text_of(page, "calculator-factors")
    for percent in ("46%", "63%", "53%", "57%", "69%"):
        assert percent in factors
    assert "Pg = C × FA / (FC × 730 h)" in page
    notes = text_of(page, "calculator-notes")
    assert "art. 186" in notes and "art. 73-A" in notes and "12" in notes
    assert re.search(r"<title>[^<]+</title>", page)


def test_the_result_shows_the_power_and_the_formula_with_its_numbers(client):
    page = client.get(URL, {"installation_class": "residential", "average_kwh": "500"}).content.decode()
    assert text_of(page, "calculator-power") == "1,97 kW"
    formula = "Pg = C × FA / (FC × 730 h) = 500 × 0,46 / (0,16 × 730) = 1,97 kW"
    assert text_of(page, "calculator-formula") == formula


@pytest.mark.parametrize(
    ("typed", "power"),
    [("412,5", "1,62"), ("412.5", "1,62"), ("1.250", "4,92"), ("1.250,0", "4,92"), ("2", "0,01")],
)
def test_decimal_comma_dot_and_thousands_are_accepted(client, typed, power):
    # 412.5 × 0.46 / 116.8 = 1.6245…; 1250 × 0.46 / 116.8 = 4.9229…
    page = client.get(URL, {"installation_class": "residential", "average_kwh": typed}).content.decode()
    assert text_of(page, "calculator-power") == f"{power} kW"


def test_public_power_is_calculated_with_commerces_factor(client):
    page = client.get(URL, {"installation_class": "public_power", "average_kwh": "1000"}).content.decode()
    # 1000 × 0.63 / 116.8 = 5.3938…
    assert text_of(page, "calculator-power") == "5,39 kW"
    assert "1.000 × 0,63" in text_of(page, "calculator-formula")


@pytest.mark.parametrize("typed", ["abc", "-5", "0", "1,000.5", ""])
def test_a_bad_average_keeps_what_was_typed_and_says_why(client, typed):
    response = client.get(URL, {"installation_class": "rural", "average_kwh": typed})
    page = response.content.decode()
    assert response.status_code == 400
    assert "data-error-summary" in page and 'href="#id_average_kwh"' in page
    assert 'data-testid="calculator-result"' not in page
    assert 'value="rural" selected' in page


def test_a_customer_picks_an_installation_and_its_12_readings_fill_the_form(client, customer, installation):
    installation.installation_class = "commercial"
    installation.save()
    add_readings(installation, [1200, 1300] * 6 + [9999])
    client.force_login(customer)
    page = client.get(URL).content.decode()
    pick = text_of(page, "calculator-pick")
    assert installation.number in pick
    page = client.get(URL, {"installation": installation.number}).content.decode()
    # Average 1250 kWh; 1250 × 0.63 / 116.8 = 6.742… → 6,74
    assert re.search(r'name="average_kwh"[^>]*value="1\.250"|value="1\.250"[^>]*name="average_kwh"', page)
    assert 'value="commercial" selected' in page
    said = text_of(page, "calculator-average")
    assert installation.number in said and "12" in said
    assert text_of(page, "calculator-power") == "6,74 kW"
    assert "1.250 × 0,63" in text_of(page, "calculator-formula")


def test_an_installation_with_few_readings_says_how_many_were_averaged(client, customer, installation):
    add_readings(installation, [500, 500, 500])
    client.force_login(customer)
    page = client.get(URL, {"installation": installation.number}).content.decode()
    assert "3" in text_of(page, "calculator-average")
    assert text_of(page, "calculator-power") == "1,97 kW"


def test_an_installation_without_readings_fills_the_class_only(client, customer, installation):
    installation.installation_class = "rural"
    installation.save()
    client.force_login(customer)
    response = client.get(URL, {"installation": installation.number})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="rural" selected' in page
    assert installation.number in text_of(page, "calculator-average")
    assert 'data-testid="calculator-result"' not in page and "data-error-summary" not in page


def test_another_customers_installation_is_never_read(client, customer, installation, monkeypatch):
    other = factories.InstallationFactory()
    add_readings(other, [4321] * 12)
    read = []
    monkeypatch.setattr(flow_inversion, "average_consumption", lambda inst: read.append(inst))
    client.force_login(customer)
    page = client.get(URL).content.decode()
    assert other.number not in page
    response = client.get(URL, {"installation": other.number})
    assert response.status_code == 404 and "4.321" not in response.content.decode()
    client.logout()
    assert client.get(URL, {"installation": other.number}).status_code == 404
    assert read == []


def test_an_rt_gets_no_list_of_every_installation(client, rt, installation):
    client.force_login(rt)
    page = client.get(URL).content.decode()
    assert 'data-testid="calculator-pick"' not in page and installation.number not in page
    assert client.get(URL, {"installation": installation.number}).status_code == 404


def test_linked_from_the_landing_page_and_the_gd_page(client, customer):
    assert f'href="{URL}"' in client.get("/").content.decode()
    client.force_login(customer)
    assert f'href="{URL}"' in client.get(reverse("atende:gd")).content.decode()


# --- the Atende request form ---


def test_the_request_form_shows_the_figure_for_the_installation(client, customer, installation):
    add_readings(installation, [500] * 12)
    client.force_login(customer)
    page = client.get(reverse("atende:new", args=[installation.number])).content.decode()
    line = text_of(page, "flow-inversion")
    assert "1,97 kW" in line and "12" in line
    page = client.get(reverse("atende:consultation_new", args=[installation.number])).content.decode()
    assert "1,97 kW" in text_of(page, "flow-inversion")


def test_the_request_form_says_nothing_without_readings(client, customer, installation):
    client.force_login(customer)
    page = client.get(reverse("atende:new", args=[installation.number])).content.decode()
    assert 'data-testid="flow-inversion"' not in page


def test_an_rt_who_does_not_serve_the_holder_is_not_shown_their_consumption(client, rt, installation):
    add_readings(installation, [500] * 12)
    client.force_login(rt)
    response = client.get(reverse("atende:new", args=[installation.number]))
    assert response.status_code == 200
    assert 'data-testid="flow-inversion"' not in response.content.decode()


def test_the_figure_costs_the_request_form_one_query(
    client, customer, installation, django_assert_max_num_queries, monkeypatch
):
    from atende import views_request

    add_readings(installation, [500] * 12)
    client.force_login(customer)
    url = reverse("atende:new", args=[installation.number])
    client.get(url)  # warm up (sessions, content types)
    with django_assert_max_num_queries(100) as shown:
        assert "1,97 kW" in client.get(url).content.decode()
    monkeypatch.setattr(views_request, "compatible_power_for", lambda installation: None)
    with django_assert_max_num_queries(100) as without:
        client.get(url)
    assert len(shown.captured_queries) == len(without.captured_queries) + 1
