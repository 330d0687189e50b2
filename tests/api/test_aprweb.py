"""Stage 2's endpoints: the RT's APR orders, from the RT's side and everyone else's (SPEC §14, §5.2–5.3)."""

from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from aprweb.models import AprOrder
from aprweb.services_technical import case_technical_suspend, version_verdict
from gdportal.cases.choices import CaseState
from gdportal.cases.documents import latest_versions
from gdportal.cases.models import DocumentVersion
from gdportal.registry.models import LookupAudit
from tests import factories
from tests.aprweb.conftest import attach_all, build_order, in_three_months
from tests.atende.conftest import make_case
from tests.files import EXE, pdf_bytes

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def api_as(api_as):
    def make(user):
        client = api_as(user)
        client.default_format = "json"
        return client

    return make


@pytest.fixture
def awaiting_case(customer, installation):
    """Filed by the customer, NS issued: an RT takes it with the claim code."""
    return make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL)


@pytest.fixture
def rts_case(customer, installation, rt):
    """Filed by the RT, NS issued: already theirs."""
    return make_case(customer, installation, rt=rt, state=CaseState.AWAITING_TECHNICAL)


def body(case, **changes):
    return {
        "protocol": case.protocol,
        "document": case.customer.document_display,
        "art_number": "MG2026001",
        "expected_connection": in_three_months(),
        "plant_format": "A3",
        **changes,
    }


def messages(answer):
    found = {}
    for error in answer.json().get("errors", []):
        found.setdefault(error["field"], []).append(error["message"])
    return found


def pdf(name, version=1):
    return SimpleUploadedFile(name, pdf_bytes(version), content_type="application/pdf")


def test_only_rts_use_the_orders(customer, outsider, commercial_analyst, api_as):
    assert api_as(customer).get("/api/v1/orders/").status_code == 403
    assert api_as(outsider).post("/api/v1/orders/", {}).status_code == 403
    assert APIClient().get("/api/v1/orders/").status_code == 401


def test_an_rts_browser_session_needs_the_apr_sign_in(rt):
    session = APIClient()
    session.force_login(rt)  # signed in to Atende with the e-mail
    refused = session.get("/api/v1/orders/")
    assert refused.status_code == 403 and "APR Web" in refused.json()["detail"]
    signed_in = session.post(
        "/apr/",
        urlencode({"username": rt.cpf, "password": "Apr-" + factories.PASSWORD}),
        content_type="application/x-www-form-urlencoded",
    )
    assert signed_in.status_code == 302
    assert session.get("/api/v1/orders/").status_code == 200


def test_an_rt_registers_the_order_of_their_own_case_with_the_case_defaults(rt, rts_case, api_as):
    answer = api_as(rt).post("/api/v1/orders/", body(rts_case))
    assert answer.status_code == 201, answer.json()
    order = AprOrder.objects.get()
    assert answer["Location"] == f"/api/v1/orders/{order.pk}/"
    data = answer.json()
    assert data["ns"] == rts_case.ns and data["case_state"] == CaseState.AWAITING_TECHNICAL
    # What the page fills in from the case: its address, phone, class and power.
    assert (order.street, order.cep, order.phone) == (rts_case.street, rts_case.cep, rts_case.phone)
    assert (
        order.demand_kva == rts_case.power_kw
        and order.request_type == "analyze_gd"
        and order.has_power_converters
    )
    assert [row["kind"] for row in data["checklist"]["rows"]] == data["checklist"]["missing"]
    assert rts_case.events.filter(action="apr_order_registered").count() == 1
    again = api_as(rt).post("/api/v1/orders/", body(rts_case))
    assert again.status_code == 200 and again.json()["id"] == order.pk
    assert (
        AprOrder.objects.count() == 1 and rts_case.events.filter(action="apr_order_registered").count() == 1
    )


def test_a_customers_case_is_taken_only_with_its_claim_code(rt, awaiting_case, api_as):
    api = api_as(rt)
    missing = api.post("/api/v1/orders/", body(awaiting_case))
    assert missing.status_code == 404 and missing["Content-Type"] == PROBLEM
    assert "código" in missing.json()["detail"]
    audit = LookupAudit.objects.get()
    assert audit.kind == LookupAudit.Kind.ORDER_SEARCH and not audit.succeeded
    taken = api.post("/api/v1/orders/", body(awaiting_case, claim_code=awaiting_case.claim_code_display))
    assert taken.status_code == 201, taken.json()
    awaiting_case.refresh_from_db()
    assert awaiting_case.rt == rt and awaiting_case.claim_code == ""


def test_a_wrong_document_is_the_same_404_and_failures_are_limited(settings, rt, rts_case, api_as):
    settings.GD_ORDER_SEARCH_FAILURES_PER_HOUR = 2
    api = api_as(rt)
    wrong = body(rts_case, document="390.533.447-05")
    assert [api.post("/api/v1/orders/", wrong).status_code for _ in range(3)] == [404, 404, 429]
    assert not AprOrder.objects.exists()


def test_order_fields_are_judged_by_the_pages_form(rt, rts_case, api_as):
    api = api_as(rt)
    refused = api.post(
        "/api/v1/orders/",
        body(rts_case, demand_kva="0", expected_connection="2020-01-01", request_type="load_analysis"),
    )
    assert refused.status_code == 400
    found = messages(refused)
    assert found["demand_kva"] == ["A demanda deve ser maior que zero."]
    assert found["expected_connection"] == ["A previsão de ligação não pode estar no passado."]
    assert "Analisar geração distribuída" in found["request_type"][0]
    malformed = api.post("/api/v1/orders/", body(rts_case, protocol="123", expected_connection="01/03/2027"))
    assert malformed.status_code == 400 and {"protocol", "expected_connection"} <= set(messages(malformed))
    assert api.post("/api/v1/orders/", body(rts_case, has_power_converters="on")).status_code == 400
    assert not AprOrder.objects.exists()


def test_the_technician_cap_sits_on_the_demand(rt, rts_case, api_as):
    factories.RTRegistrationFactory(
        cpf=rt.cpf, email=rt.email, status="approved", user=rt, title="electrotechnician"
    )
    refused = api_as(rt).post("/api/v1/orders/", body(rts_case, demand_kva="800.01"))
    assert messages(refused) == {
        "demand_kva": ["O técnico em eletrotécnica assina projetos de até 800 kVA (Decreto 90.922/85)."]
    }


@pytest.fixture
def order(rts_case, rt):
    return build_order(rts_case, rt)


def test_orders_and_checklists_are_their_rts_alone(rt, other_rt, order, api_as):
    mine = api_as(rt).get("/api/v1/orders/").json()
    assert [row["id"] for row in mine["results"]] == [order.pk] and "next" in mine
    stranger = api_as(other_rt)
    assert stranger.get("/api/v1/orders/").json()["results"] == []
    for tail in ("", "checklist/"):
        assert stranger.get(f"/api/v1/orders/{order.pk}/{tail}").status_code == 404
    assert stranger.post(f"/api/v1/orders/{order.pk}/submit/").status_code == 404
    upload = stranger.post(
        f"/api/v1/orders/{order.pk}/documents/", {"kind": "art", "file": pdf("art.pdf")}, format="multipart"
    )
    assert upload.status_code == 404 and not DocumentVersion.objects.filter(kind="art").exists()
    assert api_as(rt).get("/api/v1/orders/abc/").status_code == 404


def test_uploads_are_versions_of_the_checklists_kinds(rt, order, api_as):
    api = api_as(rt)
    url = f"/api/v1/orders/{order.pk}/documents/"
    assert (
        api.post(url, {"kind": "storage_proof", "file": pdf("x.pdf")}, format="multipart").status_code == 400
    )
    exe = api.post(url, {"kind": "art", "file": SimpleUploadedFile("art.pdf", EXE)}, format="multipart")
    assert exe.status_code == 400 and "tipo de arquivo não é aceito" in messages(exe)["file"][0]
    first = api.post(url, {"kind": "art", "file": pdf("art-v1.pdf")}, format="multipart")
    assert first.status_code == 201 and first.json()["original_name"] == "art-v1.pdf"
    same = api.post(url, {"kind": "art", "file": pdf("art-again.pdf")}, format="multipart")
    assert same.status_code == 409 and "idêntico" in same.json()["detail"]
    assert api.post(url, {"kind": "art", "file": pdf("art-v2.pdf", 2)}, format="multipart").status_code == 201
    row = next(
        r for r in api.get(f"/api/v1/orders/{order.pk}/checklist/").json()["rows"] if r["kind"] == "art"
    )
    assert row["present"] and row["latest"]["original_name"] == "art-v2.pdf" and row["older_versions"] == 1


def test_sending_is_refused_while_a_kind_is_missing(rt, order, api_as):
    refused = api_as(rt).post(f"/api/v1/orders/{order.pk}/submit/")
    assert refused.status_code == 409 and "Faltam" in refused.json()["detail"]
    assert order.case.state == CaseState.AWAITING_TECHNICAL


def test_pendencies_are_listed_and_the_order_goes_back_once_each_has_a_new_version(
    rt, order, technical_analyst, api_as
):
    attach_all(order, rt)
    api = api_as(rt)
    assert api.post(f"/api/v1/orders/{order.pk}/submit/").json()["case_state"] == CaseState.TECHNICAL_REVIEW
    case = order.case
    for version in latest_versions(case).values():
        if version.kind != "identity":
            wrong = version.kind == "art"
            version_verdict(
                version=version,
                by=technical_analyst,
                verdict="nonconforming" if wrong else "conforming",
                note="Sem pagamento" if wrong else "",
                reasons=["art-ausente"] if wrong else [],
            )
    case_technical_suspend(case=case, by=technical_analyst)
    checklist = api.get(f"/api/v1/orders/{order.pk}/checklist/").json()
    assert checklist["pending"] == ["art"] and not checklist["complete"] and checklist["can_submit"]
    art = next(row for row in checklist["rows"] if row["kind"] == "art")
    assert art["verdict"] == "nonconforming" and art["verdict_note"] == "Sem pagamento"
    refused = api.post(f"/api/v1/orders/{order.pk}/submit/")
    assert refused.status_code == 409 and "não conformes" in refused.json()["detail"]
    api.post(
        f"/api/v1/orders/{order.pk}/documents/",
        {"kind": "art", "file": pdf("art-v2.pdf", 3)},
        format="multipart",
    )
    again = api.post(f"/api/v1/orders/{order.pk}/submit/")
    assert again.status_code == 200 and again.json()["case_state"] == CaseState.TECHNICAL_REVIEW
    assert case.events.filter(action="apr_resubmitted").count() == 1


def test_the_schema_lists_stage_2(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in ("/api/v1/orders/", "/api/v1/orders/{id}/checklist/", "/api/v1/orders/{id}/submit/"):
        assert path in paths
    create = paths["/api/v1/orders/"]["post"]
    schema = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    components = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["components"]["schemas"]
    assert set(components[schema]["required"]) == {
        "protocol",
        "document",
        "art_number",
        "expected_connection",
        "plant_format",
    }
    assert components[schema]["properties"]["protocol"]["pattern"] == "^[0-9]{13}$"
