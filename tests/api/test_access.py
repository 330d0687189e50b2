"""Tokens, scope, errors and limits of /api/v1/, seen from the caller's side (SPEC §14)."""

import datetime as dt

import pytest
from django.urls import reverse

from gdportal.api.models import ApiToken, token_digest
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_a_customer_creates_a_token_that_is_shown_once_and_stored_hashed(client, customer):
    client.force_login(customer)
    page = client.post(reverse("api_access:tokens"), {"name": "ERP da empresa"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    raw = page.context["created"]
    assert raw.startswith("gdp_") and raw in page.content.decode()
    row = ApiToken.objects.get(user=customer)
    assert row.digest == token_digest(raw) and raw not in (row.prefix, row.digest, row.name)
    again = client.get(reverse("api_access:tokens")).content.decode()
    assert raw not in again and "ERP da empresa" in again and row.prefix in again


def test_a_token_reads_its_owners_cases_and_nothing_once_revoked(customer, installation, api_as):
    case = make_case(customer, installation)
    api = api_as(customer)
    listed = api.get("/api/v1/cases/")
    assert listed.status_code == 200
    assert [row["protocol"] for row in listed.json()["results"]] == [case.protocol]
    detail = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["state"] == "submitted" and detail["clocks"][0]["awaiting"]
    assert [e["action"] for e in detail["timeline"]] == ["submitted"]
    api.token.revoke(by=customer)
    refused = api.get("/api/v1/cases/")
    assert refused.status_code == 401 and refused["Content-Type"] == PROBLEM
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_the_token_page_revokes_only_the_owners_tokens(client, customer, rt, api_as):
    mine, theirs = api_as(customer).token, api_as(rt).token
    client.force_login(customer)
    assert client.post(reverse("api_access:revoke", args=[theirs.pk])).status_code == 404
    client.post(reverse("api_access:revoke", args=[mine.pk]))
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.revoked_at and theirs.revoked_at is None


def test_another_rts_case_is_a_404_problem(customer, installation, rt, other_rt, api_as):
    case = make_case(customer, installation, rt=rt)
    answer = api_as(other_rt).get(f"/api/v1/cases/{case.pk}/")
    assert answer.status_code == 404 and answer["Content-Type"] == PROBLEM
    assert answer.json()["status"] == 404 and answer.json()["detail"]
    assert api_as(other_rt).get("/api/v1/cases/").json()["results"] == []


def test_staff_and_outsiders_hold_no_token(client, commercial_analyst, outsider, api_as):
    client.force_login(commercial_analyst)
    assert client.get(reverse("api_access:tokens")).status_code == 403
    assert api_as(commercial_analyst).get("/api/v1/cases/").status_code == 401
    assert client.get("/api/v1/cases/").status_code == 403  # the analyst's session: not a filer


def test_a_token_over_its_limit_gets_429_with_retry_after(settings, customer, api_as):
    settings.GD_API_RATE_LIMIT = 3
    api = api_as(customer)
    codes = [api.get("/api/v1/cases/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    answer = api.get("/api/v1/cases/")
    assert answer["Content-Type"] == PROBLEM and 1 <= int(answer["Retry-After"]) <= 60


def test_bad_filters_are_400_with_the_field(customer, api_as):
    answer = api_as(customer).get("/api/v1/cases/?state=nope&updated_since=ontem")
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {"state", "updated_since"}


def test_the_schema_and_its_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200 and "/api/v1/cases/" in schema.json()["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower() and "//unpkg" not in docs


def test_the_registration_analyst_revokes_a_token_in_the_admin_without_seeing_it(client, customer, api_as):
    from django.contrib.auth.models import Group

    from gdportal.accounts.roles import REGISTRATION_ANALYST
    from tests import factories

    api = api_as(customer)
    staff = factories.StaffFactory(role=REGISTRATION_ANALYST)
    group = Group.objects.get(name=REGISTRATION_ANALYST)
    assert group.permissions.filter(codename="change_apitoken").exists()
    client.force_login(staff)
    page = client.get(reverse("admin:api_apitoken_changelist")).content.decode()
    assert api.token.prefix in page and api.token.digest not in page
    client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [api.token.pk]},
    )
    assert api.get("/api/v1/cases/").status_code == 401


def test_an_rt_sees_the_holders_name_masked_until_serving_them(customer, installation, rt, api_as):
    from gdportal.cases.choices import CaseState

    draft = make_case(customer, installation, rt=rt, state=CaseState.DRAFT)
    api = api_as(rt)
    name = installation.customer.name
    assert api.get(f"/api/v1/cases/{draft.pk}/").json()["holder_name"] != name
    assert [row["holder_name"] for row in api.get("/api/v1/cases/").json()["results"]] == [
        api.get(f"/api/v1/cases/{draft.pk}/").json()["holder_name"]
    ]
    served = make_case(customer, installation, rt=rt, state=CaseState.AWAITING_TECHNICAL)  # NS issued
    assert served.ns
    rows = api.get("/api/v1/cases/").json()["results"]
    assert {row["holder_name"] for row in rows} == {name}


@pytest.mark.parametrize(
    "since", ["0448-11-25T00:02:30+19:00", "0001-01-01T00:00:00+23:59", "2026-02-30T00:00:00", "ontem"]
)
def test_an_updated_since_out_of_any_calendar_is_a_400_or_an_answer_never_a_500(customer, api_as, since):
    answer = api_as(customer).get("/api/v1/cases/", {"updated_since": since})
    assert answer.status_code in (200, 400)


def test_updated_since_filters_by_the_moment_in_any_offset(customer, installation, api_as):
    case = make_case(customer, installation)
    api = api_as(customer)
    stamp = case.updated_at.astimezone(dt.timezone(dt.timedelta(hours=19)))
    assert len(api.get("/api/v1/cases/", {"updated_since": stamp.isoformat()}).json()["results"]) == 1
    later = (case.updated_at + dt.timedelta(seconds=1)).isoformat()
    assert api.get("/api/v1/cases/", {"updated_since": later}).json()["results"] == []
