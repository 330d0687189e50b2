"""SPEC §15 through /api/v1/: the coordinates check and art. 73-A as on the page, errors at their field."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.test_filing_journey import REQUEST
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
METRES_PER_DEGREE = 111_195.08


def latitude_away(installation, metres):
    return str(installation.latitude - Decimal(str(round(metres / METRES_PER_DEGREE, 6))))


def errors_of(answer):
    found = {}
    for error in answer.json().get("errors", []):
        found.setdefault(error["field"], []).append(error["message"])
    return found


@pytest.fixture
def api(api_as, customer):
    client = api_as(customer)
    client.default_format = "json"
    return client


def create(api, installation, **changes):
    return api.post("/api/v1/access-requests/", {**REQUEST, "installation": installation.number, **changes})


def submit(api, case_id):
    api.post(
        f"/api/v1/access-requests/{case_id}/documents/",
        {
            "kind": "identity",
            "file": SimpleUploadedFile("rg.pdf", pdf_bytes(), content_type="application/pdf"),
        },
        format="multipart",
    )
    sent = api.post(f"/api/v1/access-requests/{case_id}/submit/")
    assert sent.status_code == 200, sent.json()
    return sent.json()["case"]


def test_99_m_is_accepted_and_the_distance_given_back(api, installation):
    answer = create(api, installation, latitude=latitude_away(installation, 99))
    assert answer.status_code == 201, answer.json()
    assert answer.json()["coordinates_distance_m"] == 99


def test_101_m_is_refused_at_the_latitude_field_with_the_distance(api, installation):
    answer = create(api, installation, latitude=latitude_away(installation, 101))
    assert answer.status_code == 400 and answer["Content-Type"].startswith(PROBLEM)
    assert "101 m" in errors_of(answer)["latitude"][0]


def test_the_override_with_a_reason_is_kept(api, installation):
    reason = "Usina instalada no sítio vizinho, do mesmo titular."
    short = create(
        api,
        installation,
        latitude=latitude_away(installation, 101),
        coordinates_confirmed=True,
        coordinates_reason="curto",
    )
    assert short.status_code == 400 and "coordinates_reason" in errors_of(short)
    answer = create(
        api,
        installation,
        latitude=latitude_away(installation, 101),
        coordinates_confirmed=True,
        coordinates_reason=reason,
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["coordinates_confirmed"] and body["coordinates_reason"] == reason
    assert body["coordinates_distance_m"] == 101


def test_fast_track_at_7_5_kw_and_not_at_7_6(api, installation):
    refused = create(api, installation, power_kw="7.6", fast_track_term=True)
    assert refused.status_code == 400 and "fast_track_term" in errors_of(refused)
    answer = create(api, installation, power_kw="7.5", fast_track_term=True)
    assert answer.status_code == 201, answer.json()
    case = submit(api, answer.json()["id"])
    assert case["flow_dispensation"] == "fast_track"
    assert "flow_dispensation_declared" in [event["action"] for event in case["timeline"]]


def test_grid_zero_is_recorded(api, installation):
    answer = create(api, installation, grid_zero=True)
    assert answer.status_code == 201, answer.json()
    assert submit(api, answer.json()["id"])["flow_dispensation"] == "grid_zero"


def test_the_flags_are_true_or_false(api, installation):
    answer = create(api, installation, fast_track_term="sim")
    assert answer.status_code == 400 and "fast_track_term" in errors_of(answer)
