"""Stage 1's endpoints, each from its owner's side and from everyone else's (SPEC §14, §4.2–4.3)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case, DocumentVersion
from gdportal.notifications.models import OutboundEmail
from gdportal.registry.models import Debt, LookupAudit
from tests import factories
from tests.api.test_filing_journey import REQUEST
from tests.atende.conftest import make_case
from tests.files import EXE, pdf_bytes

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def messages(answer):
    found = {}
    for error in answer.json().get("errors", []):
        found.setdefault(error["field"], []).append(error["message"])
    return found


def draft(api, installation, **changes):
    answer = api.post("/api/v1/access-requests/", {**REQUEST, "installation": installation.number, **changes})
    assert answer.status_code == 201, answer.json()
    return answer.json()


def pdf(name="rg.pdf", version=1):
    return SimpleUploadedFile(name, pdf_bytes(version), content_type="application/pdf")


@pytest.fixture
def served(customer, installation, rt):
    """The RT serves the customer: a case of theirs has its NS and is the RT's."""
    return make_case(
        customer,
        factories.InstallationFactory(customer=installation.customer),
        rt=rt,
        state=CaseState.AWAITING_TECHNICAL,
    )


@pytest.fixture
def api_as(api_as):
    """Token clients that send JSON unless told otherwise (uploads say format="multipart")."""

    def make(user):
        client = api_as(user)
        client.default_format = "json"
        return client

    return make


# --- Installation lookup ---
def test_a_customer_lists_their_own_installations_without_searching(customer, installation, api_as):
    factories.InstallationFactory()  # someone else's
    found = api_as(customer).get("/api/v1/installations/").json()
    assert [row["number"] for row in found["installations"]] == [installation.number]
    row = found["installations"][0]
    assert row["customer"]["name"] == "Maria Aparecida Souza" and not row["customer"]["masked"]
    assert row["address"] and row["open_request"] is None


def test_a_customer_does_not_find_someone_elses_installation(customer, installation, api_as):
    other = factories.InstallationFactory()
    found = api_as(customer).get(f"/api/v1/installations/?q={other.number}").json()
    assert found == {"installations": [], "customers": []}


def test_an_rt_sees_a_customer_masked_and_every_search_is_audited(rt, installation, api_as):
    document = installation.customer.document
    found = api_as(rt).get(f"/api/v1/installations/?q={document}").json()
    row = found["installations"][0]
    assert row["number"] == installation.number and row["address"] is None
    assert row["customer"]["masked"] and row["customer"]["name"] == "M**** A******** S****"
    assert document not in row["customer"]["document"]
    audit = LookupAudit.objects.get()
    assert audit.user == rt and audit.kind == LookupAudit.Kind.SEARCH and audit.succeeded


def test_an_rt_who_serves_the_customer_sees_them_in_full(rt, installation, served, api_as):
    row = api_as(rt).get(f"/api/v1/installations/?q={installation.number}").json()["installations"][0]
    assert not row["customer"]["masked"] and row["customer"]["name"] == "Maria Aparecida Souza"


def test_the_open_request_is_named_only_to_who_may_follow_it(customer, installation, rt, api_as):
    case = make_case(customer, installation)
    mine = api_as(customer).get("/api/v1/installations/").json()["installations"][0]
    assert mine["open_request"] == {"protocol": case.protocol, "case_id": case.pk}
    theirs = api_as(rt).get(f"/api/v1/installations/?q={installation.number}").json()["installations"][0]
    assert theirs["open_request"] == {"protocol": None, "case_id": None}


def test_the_lookup_refuses_a_bad_query_with_the_forms_words_and_limits_rts(
    settings, rt, installation, api_as
):
    api = api_as(rt)
    assert messages(api.get("/api/v1/installations/?q=123"))["q"][0].startswith("Informe um CPF")
    assert api.get("/api/v1/installations/").status_code == 400  # an RT must say whom
    assert api.get("/api/v1/installations/?q=" + "1" * 21).status_code == 400
    settings.GD_RT_LOOKUPS_PER_HOUR = 1
    assert api.get(f"/api/v1/installations/?q={installation.number}").status_code == 200
    limited = api.get(f"/api/v1/installations/?q={installation.number}")
    assert limited.status_code == 429 and limited["Content-Type"] == PROBLEM and limited["Retry-After"]


# --- Drafts ---
def test_a_customer_creates_reads_and_changes_a_draft(customer, installation, api_as):
    api = api_as(customer)
    created = draft(api, installation)
    assert (
        created["state"] == "draft"
        and created["power_kw"] == "8.50"
        and created["holder_name"] == ("Maria Aparecida Souza")
    )
    case = Case.objects.get()
    assert case.filed_by == customer and case.rt is None and case.power_kw == Decimal("8.5")
    assert api.get(f"/api/v1/access-requests/{case.pk}/").json()["id"] == case.pk
    changed = api.patch(f"/api/v1/access-requests/{case.pk}/", {"power_kw": "9,5", "street": "Rua Nova"})
    assert changed.status_code == 200 and changed.json()["power_kw"] == "9.50"
    case.refresh_from_db()
    assert case.street == "Rua Nova" and case.municipality == "Belo Horizonte"  # the rest kept
    refused = api.patch(f"/api/v1/access-requests/{case.pk}/", {"power_kw": "12"})
    assert refused.status_code == 400 and "no máximo 10 kW" in messages(refused)["power_kw"][0]


def test_a_draft_is_its_filers_alone(customer, installation, rt, other_rt, outsider, api_as):
    case_id = draft(api_as(rt), installation)["id"]
    for who in (customer, other_rt, outsider):  # the holder too: a draft is not sent yet
        api = api_as(who)
        assert api.get(f"/api/v1/access-requests/{case_id}/").status_code == 404
        assert api.patch(f"/api/v1/access-requests/{case_id}/", {"street": "X"}).status_code == 404
        assert api.post(f"/api/v1/access-requests/{case_id}/submit/").status_code == 404
        upload = api.post(
            f"/api/v1/access-requests/{case_id}/documents/",
            {"kind": "identity", "file": pdf()},
            format="multipart",
        )
        assert upload.status_code == 404
    assert api_as(rt).get(f"/api/v1/consultations/{case_id}/").status_code == 404  # not a consultation
    assert api_as(rt).get("/api/v1/access-requests/abc/").status_code == 404
    assert api_as(rt).get(f"/api/v1/access-requests/{2**70}/").status_code == 404


def test_an_rt_files_for_a_customer_they_do_not_serve_masked_and_audited(rt, installation, api_as):
    created = draft(api_as(rt), installation)
    assert created["holder_name"] == "M**** A******** S****"
    case = Case.objects.get()
    assert case.filed_by == rt and case.rt == rt and case.holder_name == "Maria Aparecida Souza"
    assert LookupAudit.objects.get().kind == LookupAudit.Kind.FORM


def test_the_holder_and_its_unit_are_checked_before_the_form(customer, installation, api_as):
    api = api_as(customer)
    someone_elses = factories.InstallationFactory()
    assert (
        api.post("/api/v1/access-requests/", {**REQUEST, "installation": someone_elses.number}).status_code
        == 404
    )
    both = api.post(
        "/api/v1/access-requests/",
        {**REQUEST, "installation": installation.number, "customer": installation.customer.number},
    )
    assert both.status_code == 400 and "customer" in messages(both)
    neither = api.post("/api/v1/access-requests/", REQUEST)
    assert neither.status_code == 400 and "installation" in messages(neither)
    assert api.post("/api/v1/access-requests/", {**REQUEST, "installation": 3000000001}).status_code == 400
    assert api.post("/api/v1/access-requests/", [REQUEST]).status_code == 400
    closed = factories.InstallationFactory(customer=installation.customer, status="closed")
    answer = api.post("/api/v1/access-requests/", {**REQUEST, "installation": closed.number})
    assert answer.status_code == 400 and "encerrada" in messages(answer)["installation"][0]
    assert not Case.objects.exists()


def test_the_schema_refuses_what_the_form_would_forgive(customer, installation, api_as):
    """The form trims and coerces; the schema promises strings, booleans and lengths, and is kept."""
    api = api_as(customer)
    for changes in (
        {"street_number": 10},
        {"declaration": "on"},
        {"uf": "mg"},
        {"power_kw": 8.5},
        {"cep": "3016001"},
    ):
        answer = api.post(
            "/api/v1/access-requests/", {**REQUEST, "installation": installation.number, **changes}
        )
        assert answer.status_code == 400, changes
    assert not Case.objects.exists()


def test_overdue_debts_refuse_the_draft_with_the_bills_for_the_holder_only(
    customer, installation, rt, api_as
):
    Debt.objects.create(
        customer=installation.customer, reference="FAT-1", amount="312.45", due_date="2026-01-10"
    )
    body = {**REQUEST, "installation": installation.number}
    mine = api_as(customer).post("/api/v1/access-requests/", body)
    assert mine.status_code == 409 and mine.json()["debts"] == [
        {"reference": "FAT-1", "amount": "312.45", "due_date": "2026-01-10"}
    ]
    assert "débitos vencidos" in mine.json()["detail"]
    theirs = api_as(rt).post("/api/v1/access-requests/", body)
    assert theirs.status_code == 409 and "debts" not in theirs.json()
    assert not Case.objects.exists()


def test_one_request_under_way_per_installation(customer, installation, api_as):
    make_case(customer, installation)
    answer = api_as(customer).post(
        "/api/v1/access-requests/", {**REQUEST, "installation": installation.number}
    )
    assert answer.status_code == 409 and installation.number in answer.json()["detail"]


def test_documents_of_the_holders_kinds_checked_by_content(customer, installation, api_as, settings):
    api = api_as(customer)
    case_id = draft(api, installation)["id"]
    url = f"/api/v1/access-requests/{case_id}/documents/"
    wrong_kind = api.post(url, {"kind": "cnpj_card", "file": pdf()}, format="multipart")
    assert wrong_kind.status_code == 400 and "kind" in messages(wrong_kind)
    no_guarantee = api.post(url, {"kind": "gfc_proof", "file": pdf()}, format="multipart")
    assert no_guarantee.status_code == 400
    exe = api.post(url, {"kind": "identity", "file": SimpleUploadedFile("rg.pdf", EXE)}, format="multipart")
    assert exe.status_code == 400 and "tipo de arquivo não é aceito" in messages(exe)["file"][0]
    settings.GD_UPLOAD_MAX_BYTES = 1000
    big = SimpleUploadedFile("rg.pdf", pdf_bytes() + b" " * 2000)
    big = api.post(url, {"kind": "identity", "file": big}, format="multipart")
    assert big.status_code == 400 and "maior que" in messages(big)["file"][0]
    assert not DocumentVersion.objects.exists()
    settings.GD_UPLOAD_MAX_BYTES = 3 * 1024 * 1024
    ok = api.post(url, {"kind": "identity", "file": pdf("rg-cpf.pdf")}, format="multipart")
    assert ok.status_code == 201 and ok.json()["original_name"] == "rg-cpf.pdf"
    assert api.get(f"/api/v1/access-requests/{case_id}/").json()["missing_documents"] == []
    assert api.post(url, {"kind": "identity"}, format="json").status_code == 415
    # A file sent to an endpoint that takes none: refused before the body is read, in the API's format.
    stray = api.post("/api/v1/access-requests/", {"file": pdf()}, format="multipart")
    assert stray.status_code == 415 and stray["Content-Type"] == PROBLEM and stray.json()["status"] == 415


def test_sending_needs_the_documents_and_a_sent_draft_answers_with_its_protocol(
    customer, installation, api_as, django_capture_on_commit_callbacks
):
    api = api_as(customer)
    case_id = draft(api, installation)["id"]
    refused = api.post(f"/api/v1/access-requests/{case_id}/submit/")
    assert refused.status_code == 409 and "documentos de identificação" in refused.json()["detail"]
    api.post(
        f"/api/v1/access-requests/{case_id}/documents/",
        {"kind": "identity", "file": pdf()},
        format="multipart",
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = api.post(f"/api/v1/access-requests/{case_id}/submit/")
    body = sent.json()
    assert sent.status_code == 200 and not body["already_sent"] and len(body["protocol"]) == 13
    assert body["case"]["state"] == "submitted" and body["case"]["clocks"][0]["kind"] == "commercial_sla"
    assert OutboundEmail.objects.get().template == "case_protocolled"
    again = api.post(f"/api/v1/access-requests/{case_id}/submit/")
    assert (
        again.status_code == 200
        and again.json()["already_sent"]
        and again.json()["protocol"] == body["protocol"]
    )
    changed = api.patch(f"/api/v1/access-requests/{case_id}/", {"street": "Rua Nova"})
    assert changed.status_code == 409 and body["protocol"] in changed.json()["detail"]
    assert api.get(f"/api/v1/access-requests/{case_id}/").status_code == 404  # a case now: /api/v1/cases/
    assert OutboundEmail.objects.count() == 1


def test_a_debt_that_appears_after_the_draft_blocks_the_send(customer, installation, api_as):
    api = api_as(customer)
    case_id = draft(api, installation)["id"]
    api.post(
        f"/api/v1/access-requests/{case_id}/documents/",
        {"kind": "identity", "file": pdf()},
        format="multipart",
    )
    Debt.objects.create(customer=installation.customer, reference="FAT-2", amount="10", due_date="2026-01-10")
    answer = api.post(f"/api/v1/access-requests/{case_id}/submit/")
    assert answer.status_code == 409 and answer.json()["debts"][0]["reference"] == "FAT-2"
    assert Case.objects.get().state == CaseState.DRAFT and not OutboundEmail.objects.exists()


def test_the_holder_cancels_the_rt_may_not_and_strangers_do_not_see_it(
    customer, installation, rt, outsider, api_as
):
    case = make_case(customer, installation, rt=rt)
    assert api_as(outsider).post(f"/api/v1/access-requests/{case.pk}/cancel/").status_code == 404
    assert api_as(rt).post(f"/api/v1/access-requests/{case.pk}/cancel/").status_code == 403
    done = api_as(customer).post(f"/api/v1/access-requests/{case.pk}/cancel/", {"reason": "Desisti"})
    assert done.status_code == 200 and done.json()["state"] == CaseState.CANCELLED
    assert case.events.filter(action="cancelled", note="Desisti").exists()
    twice = api_as(customer).post(f"/api/v1/access-requests/{case.pk}/cancel/")
    assert twice.status_code == 409 and twice["Content-Type"] == PROBLEM


def test_a_consultation_by_client_number_needs_no_documents(customer, installation, api_as):
    api = api_as(customer)
    body = {k: v for k, v in REQUEST.items() if k != "declaration"}
    created = api.post("/api/v1/consultations/", {**body, "customer": installation.customer.number})
    assert created.status_code == 201, created.json()
    case_id = created.json()["id"]
    assert created.json()["installation"] is None and created.json()["missing_documents"] == []
    assert api.get(f"/api/v1/access-requests/{case_id}/").status_code == 404  # not an access request
    sent = api.post(f"/api/v1/consultations/{case_id}/submit/")
    assert sent.status_code == 200 and sent.json()["case"]["kind"] == "consultation"
    assert Case.objects.get().claim_code == ""


def test_a_new_unit_is_filed_by_client_number(customer, installation, api_as):
    answer = api_as(customer).post(
        "/api/v1/access-requests/",
        {**REQUEST, "customer": installation.customer.number, "request_type": "new_unit"},
    )
    assert answer.status_code == 201 and answer.json()["installation"] is None


def test_minigeneration_above_500_kw_takes_its_guarantee_proof(customer, installation, api_as):
    api = api_as(customer)
    case_id = draft(api, installation, reason="mini", power_kw="600", gfc_form="cash")["id"]
    detail = api.get(f"/api/v1/access-requests/{case_id}/").json()
    assert detail["missing_documents"] == ["identity", "gfc_proof"] and Decimal(detail["gfc_amount"]) > 0
    answer = api.post(
        f"/api/v1/access-requests/{case_id}/documents/",
        {"kind": "gfc_proof", "file": pdf()},
        format="multipart",
    )
    assert answer.status_code == 201


def test_the_schema_lists_stage_1(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in (
        "/api/v1/installations/",
        "/api/v1/access-requests/{id}/documents/",
        "/api/v1/consultations/",
    ):
        assert path in paths
    upload = paths["/api/v1/access-requests/{id}/documents/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]


def test_any_other_address_and_options_answer_in_the_apis_format(customer, api_as):
    api = api_as(customer)
    for url in ("/api/v1/access-requests/1.9/", "/api/v1/nothing/", "/api/v1/consultations//submit/"):
        answer = api.post(url, {})
        assert answer.status_code == 404 and answer["Content-Type"] == PROBLEM, url
    for url in ("/api/v1/access-requests/", "/api/v1/consultations/1/submit/", "/api/v1/installations/"):
        assert api.options(url).status_code == 200, url
