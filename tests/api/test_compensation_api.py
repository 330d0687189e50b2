"""Stage 4 through /api/v1/ (SPEC §14, issue 13): the titular's generating units with their receiving units,
and a unit's statement — the columns of `compensation_statement`, the PDF, the period filter, and who sees
what (another customer's unit is a 404, an RT reads no one's bills)."""

import datetime as dt
import io
import json
from decimal import Decimal

import pypdf
import pytest
import time_machine
from django.utils import timezone
from django.utils.translation import gettext

from compensation.api_serializers import StatementRowSerializer
from compensation.models import Allocation, AllocationSet
from compensation.statement import COLUMNS, json_text, statement_rows
from tests import factories
from tests.compensation.test_allocation_registration import make_generator
from tests.compensation.test_statement_pages import history  # noqa: F401 — the statement's fixture

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def registration(generator, rows, *, status="accepted", first=None, last=None, mode="percent", **fields):
    allocation_set = AllocationSet.objects.create(
        generator=generator,
        mode=mode,
        status=status,
        first_cycle=first,
        last_cycle=last,
        requested_at=timezone.now(),
        unit_type="remote",
        **fields,
    )
    for installation, share in rows:
        Allocation.objects.create(
            allocation_set=allocation_set,
            installation=installation,
            percent=Decimal(share) if mode == "percent" else None,
            priority=share if mode == "priority" else None,
        )
    return allocation_set


@pytest.fixture
def plant(installation, customer_record):
    """A generating unit whose 60/40 allocation is in force, an older one it replaced, and a new 100 % one
    awaiting the analysis."""
    generator = make_generator(installation)
    a, b = (factories.InstallationFactory(customer=customer_record) for _ in range(2))
    replaced = registration(generator, [(a, "100")], first=dt.date(2025, 7, 1), last=dt.date(2025, 12, 1))
    current = registration(generator, [(a, "60"), (b, "40")], first=dt.date(2026, 1, 1))
    pending = registration(generator, [(b, "100")], status="pending")
    return generator, (replaced, current, pending), (a, b)


@pytest.fixture
def extrato(request):
    """A generating unit with three computed cycles and two open lots (the statement pages' own fixture)."""
    return request.getfixturevalue("history")


def statement_url(installation, tail="", **query):
    address = f"/api/v1/statements/{installation.number}/{tail}"
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- receiving units ----------------------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC), tick=False)
def test_the_titular_reads_the_allocation_in_force_the_pending_one_and_the_history(customer, plant, api_as):
    generator, (replaced, current, pending), (a, b) = plant
    answer = api_as(customer).get("/api/v1/receiving-units/")
    assert answer.status_code == 200
    [unit] = answer.json()["results"]
    assert (unit["installation"], unit["power_kw"], unit["gd_class"]) == (
        generator.installation.number,
        "10.00",
        "II",
    )
    assert unit["may_send_credits"] is True
    assert unit["in_force"]["id"] == current.pk and unit["in_force"]["first_cycle"] == "2026-01"
    assert [(r["installation"], r["percent"]) for r in unit["in_force"]["rows"]] == [
        (a.number, "60.00"),
        (b.number, "40.00"),
    ]
    assert unit["pending"]["id"] == pending.pk and unit["pending"]["status"] == "pending"
    filed = unit["registrations"]
    assert [r["id"] for r in filed] == [pending.pk, current.pk, replaced.pk]  # newest first
    assert [r["in_force"] for r in filed] == [False, True, False]
    assert filed[2]["last_cycle"] == "2025-12"

    one = api_as(customer).get(f"/api/v1/receiving-units/{generator.installation.number}/")
    assert one.status_code == 200 and one.json() == unit


def test_priority_order_names_the_unit_that_takes_the_remainder(
    customer, installation, customer_record, api_as
):
    generator = make_generator(installation)
    a, b = (factories.InstallationFactory(customer=customer_record) for _ in range(2))
    registration(generator, [(a, 1), (b, 2)], mode="priority", first=dt.date(2020, 1, 1), remainder_to=b)
    unit = api_as(customer).get("/api/v1/receiving-units/").json()["results"][0]
    rows = unit["in_force"]["rows"]
    assert [(r["installation"], r["priority"], r["percent"], r["takes_remainder"]) for r in rows] == [
        (a.number, 1, None, False),
        (b.number, 2, None, True),
    ]


def test_a_small_local_plant_may_not_send_credits(customer, installation, api_as):
    make_generator(installation, modality="local", power_kw=Decimal("5.00"))
    unit = api_as(customer).get("/api/v1/receiving-units/").json()["results"][0]
    assert unit["may_send_credits"] is False and unit["in_force"] is None and unit["registrations"] == []


def test_another_customer_sees_none_of_it_and_an_rt_is_refused_as_on_the_page(outsider, rt, plant, api_as):
    generator = plant[0]
    number = generator.installation.number
    assert api_as(outsider).get("/api/v1/receiving-units/").json()["results"] == []
    answer = api_as(outsider).get(f"/api/v1/receiving-units/{number}/")
    assert answer.status_code == 404 and answer["Content-Type"] == PROBLEM
    for address in ("/api/v1/receiving-units/", f"/api/v1/receiving-units/{number}/"):
        refused = api_as(rt).get(address)
        assert refused.status_code == 403 and refused["Content-Type"] == PROBLEM, address


# --- statements ---------------------------------------------------------------------------------------------


def test_the_statement_has_the_commands_columns_as_decimal_strings(customer, extrato, api_as):
    answer = api_as(customer).get(statement_url(extrato))
    assert answer.status_code == 200
    body = answer.json()
    assert body["installation"] == extrato.number and body["from_cycle"] is None
    assert [row["cycle"] for row in body["rows"]] == ["2025-11", "2025-12", "2026-01"]
    assert all(list(row) == list(COLUMNS) for row in body["rows"])
    december = body["rows"][1]
    assert december["compensated_kwh"] == "375.76"  # 200 + 25.5 + 150.255, rounded once, half-up
    assert december["received_kwh"] == "25.50" and december["energy_parcel_brl"] == "48.10"
    # The same figures as `compensation_statement --format json` (SPEC §12), as strings.
    command = json.loads(json_text(statement_rows(extrato)))
    assert body["rows"] == [{k: v if k == "cycle" else f"{v:.2f}" for k, v in row.items()} for row in command]
    assert body["balance_kwh"] == "1244.57"
    assert [(lot["origin_cycle"], lot["remaining_kwh"], lot["expires_on"]) for lot in body["lots"]] == [
        ("2025-11", "1234.57", "2030-11-30"),
        ("2026-02", "10.01", "2031-02-28"),  # 10.005, half-up as the page
    ]


def test_the_row_serializer_keeps_the_commands_columns():
    assert ["cycle", *StatementRowSerializer().fields][1:] == list(COLUMNS)


def test_the_period_filter_and_its_refusals(customer, extrato, api_as):
    api = api_as(customer)
    body = api.get(statement_url(extrato, **{"from": "2025-12", "to": "2025-12"})).json()
    assert [row["cycle"] for row in body["rows"]] == ["2025-12"]
    assert (body["from_cycle"], body["to_cycle"]) == ("2025-12", "2025-12")
    only_from = api.get(statement_url(extrato, **{"from": "2026-01"})).json()
    assert [row["cycle"] for row in only_from["rows"]] == ["2026-01"]
    for query, field in (
        ({"from": "2025-13"}, "from"),
        ({"from": "03/2025"}, "from"),
        ({"to": ""}, "to"),
        ({"from": "2026-01", "to": "2025-12"}, "to"),
    ):
        answer = api.get(statement_url(extrato, **query))
        assert answer.status_code == 400 and answer["Content-Type"] == PROBLEM, query
        assert [e["field"] for e in answer.json()["errors"]] == [field], query
    reversed_ = api.get(statement_url(extrato, **{"from": "2026-01", "to": "2025-12"})).json()
    assert reversed_["errors"][0]["message"] == "O último ciclo não pode ser anterior ao primeiro."


def test_the_statement_pdf(customer, extrato, api_as):
    answer = api_as(customer).get(statement_url(extrato, "pdf/"), HTTP_ACCEPT="application/pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer["Cache-Control"] == "private, no-store"
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(answer.content)).pages)
    assert extrato.number in text and "1.244,57" in text
    # Errors stay problem+json even when the PDF was asked for.
    refused = api_as(customer).get(statement_url(extrato, "pdf/", to="2025"), HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 400 and refused["Content-Type"] == PROBLEM


def test_another_customers_or_an_rts_statement_is_a_404(outsider, rt, extrato, api_as):
    for person in (outsider, rt):
        for tail in ("", "pdf/"):
            answer = api_as(person).get(statement_url(extrato, tail))
            assert answer.status_code == 404 and answer["Content-Type"] == PROBLEM, (person, tail)
    for number in ("123", "31000000001", "abc"):  # not 10 digits: the API's 404, not the site's page
        answer = api_as(outsider).get(f"/api/v1/statements/{number}/")
        assert answer.status_code == 404 and answer["Content-Type"] == PROBLEM, number


def test_a_page_size_that_is_not_1_to_100_is_a_400(customer, plant, api_as):
    api = api_as(customer)
    assert len(api.get("/api/v1/receiving-units/?page_size=1").json()["results"]) == 1
    for size in ("abc", "0", "101", "", "2.5"):
        answer = api.get(f"/api/v1/receiving-units/?page_size={size}")
        assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "page_size", size


def test_the_list_costs_the_same_queries_for_one_unit_or_three(customer, customer_record, plant, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_as(customer)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/receiving-units/").status_code == 200
        return len(captured)

    queries()  # the token's first use of the minute writes its last-used time
    one = queries()
    for _ in range(2):
        generator = make_generator(factories.InstallationFactory(customer=customer_record))
        receiver = factories.InstallationFactory(customer=customer_record)
        registration(generator, [(receiver, "50")], first=dt.date(2026, 1, 1))
        registration(generator, [(receiver, "70")], status="pending")
    assert queries() == one


# --- filing a registration ----------------------------------------------------------------------------------


def filing(rows, mode="percent", **fields):
    share = "percent" if mode == "percent" else "priority"
    body = {
        "unit_type": "remote",
        "voltage": "BT",
        "contact_name": "Maria Aparecida Souza",
        "contact_phone": "(31) 98888-7777",
        "contact_email": "maria@example.com",
        "mode": mode,
        "rows": [{"installation": number, share: value} for number, value in rows],
    }
    body.update(fields)
    return body


def file(api, generator, body):
    address = f"/api/v1/receiving-units/{generator.installation.number}/registrations/"
    return api.post(address, body, format="json")


@pytest.fixture
def receivers(customer_record):
    return [factories.InstallationFactory(customer=customer_record) for _ in range(2)]


def test_the_titular_files_a_60_40_registration_that_awaits_the_analysis(
    customer, installation, receivers, api_as
):
    from gdportal.notifications.models import OutboundEmail

    generator = make_generator(installation)
    a, b = receivers
    api = api_as(customer)
    answer = file(api, generator, filing([(a.number, "60"), (b.number, "39,5")]))
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["status"], body["mode"], body["first_cycle"]) == ("pending", "percent", None)
    rows = [(r["installation"], r["percent"]) for r in body["rows"]]
    assert rows == [(a.number, "60.00"), (b.number, "39.50")]
    assert answer["Location"].endswith(f"/api/v1/receiving-units/{generator.installation.number}/")
    saved = AllocationSet.objects.get(pk=body["id"])
    assert (saved.contact_phone, saved.requested_by) == ("31988887777", customer)
    assert OutboundEmail.objects.filter(template="allocation_received").exists()
    assert api.get("/api/v1/receiving-units/").json()["results"][0]["pending"]["id"] == saved.pk
    # A second one while the first awaits the analysis: the unit's state refuses it.
    again = file(api, generator, filing([(a.number, "100")]))
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM
    filed_on = timezone.localtime(saved.requested_at).strftime("%d/%m/%Y")
    assert again.json()["detail"] == gettext(
        "A registration for this generating unit, filed on %(date)s, is awaiting Cemig's analysis: wait for "
        "the answer before filing another."
    ) % {"date": filed_on}
    assert AllocationSet.objects.count() == 1


def test_priority_order_with_the_unit_that_takes_the_remainder(customer, installation, receivers, api_as):
    generator = make_generator(installation)
    a, b = receivers
    body = filing([(a.number, None), (b.number, None)], mode="priority", remainder_to=b.number)
    answer = file(api_as(customer), generator, body)
    assert answer.status_code == 201, answer.json()
    rows = answer.json()["rows"]
    assert [(r["installation"], r["priority"], r["takes_remainder"]) for r in rows] == [
        (a.number, 1, False),
        (b.number, 2, True),
    ]


def test_a_broken_rule_is_a_400_at_its_row_or_field_and_nothing_is_saved(
    customer, installation, receivers, outsider, api_as
):
    generator = make_generator(installation)
    a, b = receivers
    stranger = factories.InstallationFactory(customer=outsider.customer)
    api = api_as(customer)
    answer = file(api, generator, filing([(a.number, "60"), (b.number, "50")]))
    assert answer.status_code == 400 and answer["Content-Type"] == PROBLEM
    fields = [e["field"] for e in answer.json()["errors"]]
    assert fields == ["rows.1.percent", ""]  # the row that passes 100 %, and the total
    answer = file(api, generator, filing([(stranger.number, "50"), (generator.installation.number, "10")]))
    assert [e["field"] for e in answer.json()["errors"]] == ["rows.0.installation", "rows.1.installation"]
    assert answer.json()["errors"][1]["message"] == gettext(
        "This is the generating unit itself: it is not listed, what is not allocated to the other units "
        "already stays with it."
    )
    shared = file(api, generator, filing([(a.number, "50")], unit_type="shared", legal_form="cooperative"))
    assert [e["field"] for e in shared.json()["errors"]] == ["legal_instrument"]  # the page's to attach
    for body in (
        filing([(a.number, 60)]),  # a number where the schema says a string
        filing([(int(a.number), "60")]),
        filing([(a.number, "60")], contact_phone="31"),
        filing([(a.number, "60")], mode="half"),
        filing([]),
        [filing([(a.number, "60")])],
    ):
        assert file(api, generator, body).status_code == 400, body
    assert not AllocationSet.objects.exists()


def test_the_json_form_only_for_the_titular(customer, installation, receivers, rt, outsider, api_as):
    generator = make_generator(installation)
    body = filing([(receivers[0].number, "50")])
    assert file(api_as(rt), generator, body).status_code == 403
    assert file(api_as(outsider), generator, body).status_code == 404
    multipart = api_as(customer).post(
        f"/api/v1/receiving-units/{generator.installation.number}/registrations/", {"mode": "percent"}
    )
    assert multipart.status_code == 415
    small = make_generator(factories.InstallationFactory(customer=installation.customer), modality="local",
                           power_kw=Decimal("5.00"))  # fmt: skip
    refused = file(api_as(customer), small, body)
    assert refused.status_code == 409 and "73-A" in refused.json()["detail"]
    assert not AllocationSet.objects.exists()
