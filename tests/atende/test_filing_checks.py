"""Refusals a rule catches at filing (SPEC §15), on the Atende request page and in the analyst's admin:
the coordinates against the registry's location of the UC, and the art. 73-A dispensations."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from gdportal.cases.choices import CaseState
from gdportal.cases.filing_checks import DISPENSED
from gdportal.cases.models import Case
from gdportal.registry.models import ConsumptionReading
from tests import factories
from tests.atende.conftest import request_data

pytestmark = pytest.mark.django_db

METRES_PER_DEGREE = 111_195.08  # of latitude, on gdportal/geo.py's sphere


def latitude_away(installation, metres):
    """The installation's registered latitude moved `metres` south, as the form takes it (decimal comma)."""
    moved = installation.latitude - Decimal(str(round(metres / METRES_PER_DEGREE, 6)))
    return str(moved).replace(".", ",")


def post_request(client, installation, identity_pdf, **overrides):
    url = reverse("atende:new", args=[installation.number])
    data = request_data(document=installation.customer.document_display, **overrides)
    identity_pdf.seek(0)  # the same file chosen again after a refusal
    return client.post(url, {**data, "file_identity": identity_pdf})


def send(client, response):
    """Press "Enviar" on the check-your-answers page the form led to; the case as filed."""
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    sent = client.post(response["Location"])
    assert sent.status_code == 302
    return Case.objects.get()


# --- Coordinates -------------------------------------------------------------------------------------------


def test_the_form_is_prefilled_with_the_registry_coordinates(client, customer, installation):
    client.force_login(customer)
    form = client.get(reverse("atende:new", args=[installation.number])).context["form"]
    assert form.initial["latitude"] == installation.latitude
    assert form.initial["longitude"] == installation.longitude


def test_coordinates_99_m_from_the_registered_address_are_accepted(
    client, customer, installation, identity_pdf
):
    client.force_login(customer)
    response = post_request(client, installation, identity_pdf, latitude=latitude_away(installation, 99))
    case = send(client, response)
    assert case.state == CaseState.SUBMITTED
    assert case.coordinates_distance_m == 99 and not case.coordinates_confirmed


def test_coordinates_101_m_away_are_refused_at_the_field_with_the_distance(
    client, customer, installation, identity_pdf
):
    client.force_login(customer)
    response = post_request(client, installation, identity_pdf, latitude=latitude_away(installation, 101))
    assert response.status_code == 400
    message = response.context["form"].errors["latitude"][0]
    assert "101 m" in message and "100 m" in message
    html = response.content.decode()
    assert "101 m" in html
    # The way out is offered where the error is: the box to confirm and the reason.
    assert 'data-testid="coordinates-override"' in html and 'name="coordinates_reason"' in html
    assert not Case.objects.exists()


def test_far_coordinates_are_said_in_km_with_a_decimal_comma(client, customer, installation, identity_pdf):
    client.force_login(customer)
    response = post_request(client, installation, identity_pdf, latitude=latitude_away(installation, 2300))
    assert "2,3 km" in response.context["form"].errors["latitude"][0]


def test_the_limit_is_a_setting(client, customer, installation, identity_pdf, settings):
    settings.GD_COORDINATES_MAX_DISTANCE_M = 300
    client.force_login(customer)
    response = post_request(client, installation, identity_pdf, latitude=latitude_away(installation, 250))
    assert send(client, response).coordinates_distance_m == 250


def test_the_override_needs_a_reason_of_20_characters(client, customer, installation, identity_pdf):
    client.force_login(customer)
    far = latitude_away(installation, 101)
    response = post_request(
        client,
        installation,
        identity_pdf,
        latitude=far,
        coordinates_confirmed="on",
        coordinates_reason="É aqui.",
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "latitude" not in errors and "101 m" in errors["coordinates_reason"][0]
    assert "20" in errors["coordinates_reason"][0]


def test_the_override_keeps_the_case_and_the_analyst_sees_the_distance_and_the_reason(
    client, customer, installation, identity_pdf, commercial_analyst
):
    reason = "A usina fica no galpão dos fundos do terreno, a 100 m da casa."
    client.force_login(customer)
    response = post_request(
        client,
        installation,
        identity_pdf,
        latitude=latitude_away(installation, 101),
        coordinates_confirmed="on",
        coordinates_reason=reason,
    )
    case = send(client, response)
    assert case.state == CaseState.SUBMITTED
    assert case.coordinates_distance_m == 101 and case.coordinates_confirmed
    assert case.coordinates_reason == reason
    client.force_login(commercial_analyst)
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    panel = page[page.index('data-testid="filing-checks"') :]
    assert "101 m" in panel and reason in panel


def test_a_confirmation_not_needed_is_not_kept(client, customer, installation, identity_pdf):
    client.force_login(customer)
    response = post_request(
        client, installation, identity_pdf, coordinates_confirmed="on", coordinates_reason="x" * 30
    )
    case = send(client, response)
    assert (
        case.coordinates_distance_m == 0 and not case.coordinates_confirmed and case.coordinates_reason == ""
    )


def test_without_a_location_in_the_registry_nothing_is_checked(
    client, customer, customer_record, identity_pdf
):
    installation = factories.InstallationFactory(customer=customer_record, latitude=None, longitude=None)
    client.force_login(customer)
    response = post_request(client, installation, identity_pdf, latitude="-19,5", longitude="-44,1")
    case = send(client, response)
    assert case.coordinates_distance_m is None and case.state == CaseState.SUBMITTED


def test_a_consultation_is_not_checked(client, customer, installation):
    client.force_login(customer)
    url = reverse("atende:consultation_new", args=[installation.number])
    data = request_data(document="", latitude=latitude_away(installation, 5000))
    response = client.post(url, data)
    assert response.status_code == 302


# --- Art. 73-A ---------------------------------------------------------------------------------------------


def test_7_5_kw_local_with_the_term_is_fast_track_and_everyone_sees_it(
    client, customer, installation, identity_pdf, commercial_analyst
):
    client.force_login(customer)
    response = post_request(client, installation, identity_pdf, power_kw="7,5", fast_track_term="on")
    case = send(client, response)
    assert case.flow_dispensation == "fast_track" and case.fast_track_term
    event = case.events.get(action="flow_dispensation_declared")
    assert event.actor == customer and "7,5 kW" in event.note
    text = gettext(str(DISPENSED))
    status = client.get(reverse("atende:status_detail", args=[case.protocol])).content.decode()
    assert text in status and case.get_flow_dispensation_display() in status
    client.force_login(commercial_analyst)
    admin_page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert text in admin_page


def test_7_6_kw_is_not_fast_track(client, customer, installation, identity_pdf):
    client.force_login(customer)
    refused = post_request(client, installation, identity_pdf, power_kw="7,6", fast_track_term="on")
    assert refused.status_code == 400 and "7,5 kW" in refused.context["form"].errors["fast_track_term"][0]
    response = post_request(client, installation, identity_pdf, power_kw="7,6")
    case = send(client, response)
    assert case.flow_dispensation == "" and not case.events.filter(action="flow_dispensation_declared")


def test_the_term_is_for_local_self_consumption_only(client, customer, installation, identity_pdf):
    client.force_login(customer)
    refused = post_request(
        client, installation, identity_pdf, power_kw="5", modality="remote", fast_track_term="on"
    )
    assert refused.status_code == 400 and "fast_track_term" in refused.context["form"].errors


def test_grid_zero_is_recorded_with_who_declared_it(client, customer, installation, identity_pdf):
    client.force_login(customer)
    response = post_request(client, installation, identity_pdf, power_kw="9,8", grid_zero="on")
    case = send(client, response)
    assert case.flow_dispensation == "grid_zero" and case.grid_zero
    assert case.events.get(action="flow_dispensation_declared").actor == customer


def test_micro_at_or_below_the_calculators_figure_is_dispensed_when_filed(
    client, customer, installation, identity_pdf
):
    # Residential, 2,000 kWh a month: 2000 × 0,46 / (0,16 × 730) = 7,88 kW compatible.
    for month in range(1, 13):
        ConsumptionReading.objects.create(installation=installation, month=date(2025, month, 1), kwh=2000)
    client.force_login(customer)
    response = post_request(client, installation, identity_pdf, power_kw="7,8")
    case = send(client, response)
    assert case.flow_dispensation == "calculator"
    assert (
        gettext(str(DISPENSED))
        in client.get(reverse("atende:receipt", args=[case.protocol])).content.decode()
    )


def test_micro_above_the_calculators_figure_is_not_dispensed(client, customer, installation, identity_pdf):
    for month in range(1, 13):
        ConsumptionReading.objects.create(installation=installation, month=date(2025, month, 1), kwh=2000)
    client.force_login(customer)
    case = send(client, post_request(client, installation, identity_pdf, power_kw="8"))
    assert case.flow_dispensation == ""
