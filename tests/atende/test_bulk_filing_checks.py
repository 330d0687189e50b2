"""Bulk filing (SPEC §14) meets SPEC §15's rules as the page does: far coordinates at their line, the
override and the art. 73-A columns (optional: a file made from the older template still goes in)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from atende import bulk
from gdportal.cases.models import Case
from tests import factories
from tests.atende.test_bulk import csv_bytes, report, row_for, upload

pytestmark = pytest.mark.django_db

METRES_PER_DEGREE = 111_195.08
FILING_COLUMNS = ("coordinates_confirmed", "coordinates_reason", "fast_track_term", "grid_zero")


def latitude_away(installation, metres):
    return str(installation.latitude - Decimal(str(round(metres / METRES_PER_DEGREE, 6)))).replace(".", ",")


@pytest.fixture
def installations(customer_record):
    return [factories.InstallationFactory(customer=customer_record) for _ in range(3)]


def test_a_row_with_far_coordinates_is_reported_at_its_line_with_the_distance(client, rt, installations):
    near, far, confirmed = installations
    rows = [
        row_for(near),
        row_for(far, latitude=latitude_away(far, 101)),
        row_for(
            confirmed,
            latitude=latitude_away(confirmed, 2300),
            coordinates_confirmed="sim",
            coordinates_reason="Coordenadas do telhado do galpão, medidas no local.",
        ),
    ]
    client.force_login(rt)
    lines = report(upload(client, csv_bytes(rows)))
    assert lines[2] == ("created", []) and lines[4] == ("created", [])
    status, messages = lines[3]
    assert status == "error" and [column for column, _m in messages] == ["latitude"]
    assert "101 m" in messages[0][1]
    assert Case.objects.get(installation=confirmed).coordinates_distance_m == 2300
    assert not Case.objects.filter(installation=far).exists()


def test_the_fast_track_and_grid_zero_columns(client, rt, installations):
    fast, too_big, zero = installations
    rows = [
        row_for(fast, power_kw="7,5", fast_track_term="sim"),
        row_for(too_big, power_kw="7,6", fast_track_term="sim"),
        row_for(zero, grid_zero="x"),
    ]
    client.force_login(rt)
    lines = report(upload(client, csv_bytes(rows)))
    assert lines[2] == ("created", []) and lines[4] == ("created", [])
    assert lines[3][0] == "error" and [column for column, _m in lines[3][1]] == ["fast_track_term"]
    assert Case.objects.get(installation=fast).flow_dispensation == "fast_track"
    assert Case.objects.get(installation=zero).flow_dispensation == "grid_zero"


def test_a_file_without_the_new_columns_still_files(client, rt, installations):
    columns = [name for name in bulk.COLUMNS if name not in FILING_COLUMNS]
    client.force_login(rt)
    lines = report(upload(client, csv_bytes([row_for(installations[0])], columns=columns)))
    assert lines[2] == ("created", [])


def test_the_page_documents_the_new_columns(client, rt):
    client.force_login(rt)
    html = client.get(reverse("bulk:upload")).content.decode()
    for column in FILING_COLUMNS:
        assert f"<code>{column}</code>" in html
