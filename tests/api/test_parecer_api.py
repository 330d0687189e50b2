"""Stage 3 through /api/v1/ (SPEC §14, issue 13): the parecer, its PDF, accepting it, the Vistoria request and
the inspection — the owner's answers, another user's 404, and every refusal the pages make."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext

from gdportal.accounts import roles
from gdportal.cases.choices import CaseState
from parecer import deadline_kinds as clocks
from parecer.documents import PARECER_COPY
from parecer.models import Inspection
from parecer.services_inspection import inspection_fail, inspection_pass, inspection_schedule
from tests import factories
from tests.aprweb.conftest import rt_registration  # noqa: F401 — a fixture approved_case_for needs
from tests.files import pdf_bytes
from tests.parecer.conftest import approved_case_for, issue
from tests.parecer.test_customer_pages import staged

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def url(case, tail):
    return f"/api/v1/cases/{case.pk}/{tail}"


def vistoria(case, **overrides):
    data = {
        "holder_name": case.holder_name,
        "document": case.customer.document_display,
        "street": case.street,
        "cep": "30160-011",
        "street_number": case.street_number,
        "complement": "",
        "district": case.district,
        "municipality": case.municipality,
        "email": case.email,
        "phone": "(31) 98888-7777",
        "mobile": "",
        "declaration": "true",
    }
    data.update(overrides)
    return data


def ask(api, case, **overrides):
    return api.post(url(case, "inspection-request/"), vistoria(case, **overrides), format="multipart")


@pytest.fixture
def approved_case(request, customer, installation, rt, technical_analyst):
    """Filed, sent in APR Web by the RT and approved, through the real services (stage 3's conftest)."""
    request.getfixturevalue("rt_registration")
    return approved_case_for(customer, installation, rt, technical_analyst)


@pytest.fixture
def inspector(db):
    return factories.StaffFactory(username="vistoriador", role=roles.INSPECTOR)


@pytest.fixture
def issued(customer, installation, technical_analyst):
    return staged(customer, installation, technical_analyst, state=CaseState.PARECER_ISSUED)


@pytest.fixture
def accepted(customer, installation, technical_analyst):
    return staged(customer, installation, technical_analyst, state=CaseState.PARECER_ACCEPTED)


# --- reading ------------------------------------------------------------------------------------------------


def test_the_holder_and_the_rt_read_the_issued_parecer_and_its_pdf(
    customer, rt, approved_case, technical_analyst, api_as
):
    parecer = issue(approved_case, technical_analyst)
    mine = api_as(customer).get(url(approved_case, "parecer/"))
    assert mine.status_code == 200
    body = mine.json()
    assert body["favourable"] is True and body["case_state"] == "parecer_issued"
    assert body["verification_code"] == parecer.verification_code
    assert body["verification_url"].endswith(f"/verificar/{parecer.verification_code}/")
    assert body["valid_until"] == parecer.valid_until.isoformat()
    assert (body["acceptance"], body["can_accept"]) == ("awaiting", True)
    assert (body["payment"], body["works"], body["financial_participation"]) == (
        "not_applicable",
        "not_needed",
        "0.00",
    )
    assert body["connection_point"].startswith("Alimentador BHAD-05")
    # What the case page says instead of the "Solicitar vistoria" button.
    assert body["may_request_inspection"] is False
    assert body["inspection_blockers"] == [gettext("Accept the access opinion first.")]
    assert body["inspection_blockers"] == ["Aceite o parecer de acesso primeiro."]  # pt-BR, as the page

    pdf = api_as(customer).get(url(approved_case, "parecer/pdf/"), HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    content = b"".join(pdf.streaming_content)
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == body["pdf_sha256"]
    assert pdf["Cache-Control"] == "private, no-store" and pdf["X-Content-Type-Options"] == "nosniff"
    assert body["pdf_url"].endswith(url(approved_case, "parecer/pdf/"))

    # The case's RT follows it too, but accepting is the holder's alone.
    theirs = api_as(rt).get(url(approved_case, "parecer/")).json()
    assert theirs["verification_code"] == parecer.verification_code and theirs["can_accept"] is False
    assert api_as(rt).get(url(approved_case, "parecer/pdf/")).status_code == 200


def test_payment_and_works_are_reported_as_the_panel_does(customer, installation, technical_analyst, api_as):
    case = staged(
        customer,
        installation,
        technical_analyst,
        state=CaseState.PARECER_ACCEPTED,
        works_pending=True,
        financial_participation="1500.00",
    )
    body = api_as(customer).get(url(case, "parecer/")).json()
    assert (body["acceptance"], body["payment"], body["works"]) == ("accepted", "pending", "pending")
    assert body["financial_participation"] == "1500.00" and body["paid_at"] is None
    assert body["may_request_inspection"] is False
    assert body["inspection_blockers"] == [
        gettext("The utility's grid works are still pending."),
        gettext("The financial participation has not been recorded as paid."),
    ]


def test_an_unfavourable_parecer_says_why_and_offers_nothing(
    customer, installation, technical_analyst, api_as
):
    case = staged(
        customer, installation, technical_analyst, state=CaseState.PARECER_UNFAVOURABLE, favourable=False
    )
    body = api_as(customer).get(url(case, "parecer/")).json()
    assert body["favourable"] is False and body["unfavourable_reason"]
    assert (body["acceptance"], body["can_accept"], body["valid_until"]) == ("not_applicable", False, None)
    assert body["inspection_blockers"] == []


def test_a_case_without_parecer_or_inspection_answers_404(customer, installation, api_as):
    from tests.atende.conftest import make_case

    case = make_case(customer, installation)
    api = api_as(customer)
    for tail in ("parecer/", "parecer/pdf/", "inspection/"):
        answer = api.get(url(case, tail))
        assert answer.status_code == 404 and answer["Content-Type"] == PROBLEM, tail
    assert api.post(url(case, "parecer/accept/")).status_code == 409


def test_every_endpoint_is_a_404_for_another_customer_and_another_rt(
    customer, installation, rt, outsider, other_rt, technical_analyst, api_as
):
    case = staged(customer, installation, technical_analyst, state=CaseState.PARECER_ACCEPTED, rt=rt)
    for person in (outsider, other_rt):
        api = api_as(person)
        for tail in ("parecer/", "parecer/pdf/", "inspection/"):
            answer = api.get(url(case, tail))
            assert answer.status_code == 404 and answer["Content-Type"] == PROBLEM, (person, tail)
        assert api.post(url(case, "parecer/accept/")).status_code == 404
        assert ask(api, case).status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.PARECER_ACCEPTED and not Inspection.objects.exists()
    for missing in ("99999999", "abc", "1.5", "99999999999999999999999"):
        answer = api_as(customer).get(f"/api/v1/cases/{missing}/parecer/")
        assert answer.status_code == 404 and answer["Content-Type"] == PROBLEM, missing


# --- accepting ----------------------------------------------------------------------------------------------


def test_the_holder_accepts_once_and_a_second_time_is_a_409(customer, issued, api_as):
    api = api_as(customer)
    answer = api.post(url(issued, "parecer/accept/"))
    assert answer.status_code == 200
    assert (answer.json()["acceptance"], answer.json()["case_state"]) == ("accepted", "parecer_accepted")
    issued.refresh_from_db()
    assert issued.state == CaseState.PARECER_ACCEPTED
    again = api.post(url(issued, "parecer/accept/"))
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM
    assert again.json()["detail"] == gettext("This access opinion is not awaiting acceptance.")
    assert issued.events.filter(action="parecer_accepted").count() == 1


def test_the_rt_may_not_accept(customer, installation, rt, technical_analyst, api_as):
    case = staged(customer, installation, technical_analyst, state=CaseState.PARECER_ISSUED, rt=rt)
    answer = api_as(rt).post(url(case, "parecer/accept/"))
    assert answer.status_code == 403 and answer["Content-Type"] == PROBLEM
    case.refresh_from_db()
    assert case.state == CaseState.PARECER_ISSUED


def test_an_idempotent_retry_gets_the_first_answer(customer, issued, api_as):
    api = api_as(customer)
    first = api.post(url(issued, "parecer/accept/"), HTTP_IDEMPOTENCY_KEY="aceite-1")
    retry = api.post(url(issued, "parecer/accept/"), HTTP_IDEMPOTENCY_KEY="aceite-1")
    assert first.status_code == retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true" and retry.json() == first.json()


# --- the Vistoria request and the inspection ----------------------------------------------------------------


def test_the_holder_requests_the_inspection_and_follows_it_to_the_connection(
    customer, accepted, inspector, api_as
):
    api = api_as(customer)
    answer = ask(api, accepted)
    assert answer.status_code == 201, answer.json()
    assert answer["Location"].endswith(url(accepted, "inspection/"))
    assert (answer.json()["status"], answer.json()["attached_copy"]) == ("awaiting_schedule", None)
    accepted.refresh_from_db()
    assert accepted.state == CaseState.INSPECTION_REQUESTED
    inspection = Inspection.objects.get(case=accepted)
    assert (inspection.cep, inspection.phone, inspection.requested_by) == (
        "30160011",
        "31988887777",
        customer,
    )
    assert accepted.deadlines.filter(kind=clocks.VALIDITY.code, state="open").count() == 0  # now in use

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    inspection_schedule(case=accepted, by=inspector, date=tomorrow, period="morning")
    body = api.get(url(accepted, "inspection/")).json()
    assert (body["status"], body["scheduled_for"], body["period"]) == (
        "scheduled",
        tomorrow.isoformat(),
        "morning",
    )
    assert body["period_label"] == "Manhã (8h–12h)" and body["result"] is None

    today = timezone.localdate()
    inspection_pass(
        case=accepted, by=inspector, visited_on=today, meter_number="BD-778899", connected_on=today
    )
    body = api.get(url(accepted, "inspection/")).json()
    assert (body["status"], body["result"], body["meter_number"]) == ("passed", "passed", "BD-778899")
    assert body["connected_on"] == today.isoformat() and body["visited_on"] == today.isoformat()


def test_a_failed_inspection_lists_its_items_and_may_be_asked_again(customer, accepted, inspector, api_as):
    api = api_as(customer)
    assert ask(api, accepted).status_code == 201
    inspection_fail(
        case=accepted,
        by=inspector,
        visited_on=timezone.localdate(),
        report="Placa sem aterramento\nDPS ausente",
    )
    body = api.get(url(accepted, "inspection/")).json()
    assert (body["status"], body["report_items"]) == ("failed", ["Placa sem aterramento", "DPS ausente"])
    assert api.get(url(accepted, "parecer/")).json()["may_request_inspection"] is True
    assert ask(api, accepted).status_code == 201
    assert api.get(url(accepted, "inspection/")).json()["status"] == "awaiting_schedule"


def test_the_cases_rt_requests_it_with_another_copy_of_the_parecer(
    customer, installation, rt, technical_analyst, api_as
):
    case = staged(customer, installation, technical_analyst, state=CaseState.PARECER_ACCEPTED, rt=rt)
    copy = SimpleUploadedFile("parecer-assinado.pdf", pdf_bytes(2), content_type="application/pdf")
    answer = ask(api_as(rt), case, copy=copy)
    assert answer.status_code == 201 and answer.json()["attached_copy"] == "parecer-assinado.pdf"
    inspection = Inspection.objects.get(case=case)
    assert inspection.attachment.kind == PARECER_COPY and inspection.requested_by == rt


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (CaseState.PARECER_ISSUED, "Accept the access opinion first."),
        (CaseState.PARECER_EXPIRED, "The access opinion is no longer valid."),
        (CaseState.INSPECTION_REQUESTED, "The inspection is requested after the access opinion is accepted."),
    ],
)
def test_the_inspection_in_a_wrong_state_is_a_409_with_the_pages_reason(
    customer, installation, technical_analyst, api_as, state, reason
):
    case = staged(customer, installation, technical_analyst, state=state)
    answer = ask(api_as(customer), case)
    assert answer.status_code == 409 and answer["Content-Type"] == PROBLEM
    assert answer.json()["detail"] == gettext(reason)
    assert not Inspection.objects.exists()


def test_the_inspection_is_refused_while_works_are_pending_or_past_the_validity(
    customer, installation, technical_analyst, accepted, api_as
):
    works = staged(
        customer, installation, technical_analyst, state=CaseState.PARECER_ACCEPTED, works_pending=True
    )
    api = api_as(customer)
    answer = ask(api, works)
    assert answer.status_code == 409
    assert answer.json()["detail"] == gettext("The utility's grid works are still pending.")
    accepted.deadlines.filter(kind=clocks.VALIDITY.code).update(due_at=timezone.now() - dt.timedelta(days=1))
    answer = ask(api, accepted)
    assert answer.status_code == 409
    assert answer.json()["detail"] == gettext("The access opinion is no longer valid.")
    assert not Inspection.objects.exists()


def test_what_the_form_refuses_is_a_400_at_its_field_and_nothing_is_saved(customer, accepted, api_as):
    api = api_as(customer)
    cases = [
        (
            {"document": "390.533.447-05"},
            "document",
            gettext("The CPF/CNPJ must be the holder's of this request."),
        ),
        ({"cep": "3016"}, "cep", None),  # the schema's pattern
        ({"phone": "31 9"}, "phone", None),
        ({"declaration": "false"}, "declaration", gettext("Tick this box to go on.")),
        ({"declaration": "talvez"}, "declaration", None),
        ({"email": "maria"}, "email", None),
        ({"holder_name": ""}, "holder_name", None),
    ]
    for overrides, field, message in cases:
        answer = ask(api, accepted, **overrides)
        assert answer.status_code == 400 and answer["Content-Type"] == PROBLEM, overrides
        errors = {e["field"]: e["message"] for e in answer.json()["errors"]}
        assert field in errors, (overrides, errors)
        if message:
            assert errors[field] == message
    big = SimpleUploadedFile(
        "grande.pdf", pdf_bytes() + b"\n" * (4 * 1024 * 1024), content_type="application/pdf"
    )
    answer = ask(api, accepted, copy=big)
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"field": "copy", "message": gettext("The file is larger than %(max)s MB.") % {"max": "3"}}
    ]
    accepted.refresh_from_db()
    assert accepted.state == CaseState.PARECER_ACCEPTED and not Inspection.objects.exists()


def test_the_vistoria_takes_multipart_only(customer, accepted, api_as):
    answer = api_as(customer).post(url(accepted, "inspection-request/"), vistoria(accepted), format="json")
    assert answer.status_code == 415 and answer["Content-Type"] == PROBLEM
