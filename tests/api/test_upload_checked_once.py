"""An uploaded file is judged by the service that stores it, once: the API and the page answer the service's
refusal at the field (the kind, the file) instead of checking it themselves first (SPEC §10, §14)."""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gdportal import uploads
from gdportal.cases.choices import CaseState
from gdportal.cases.models import DocumentVersion
from tests import factories
from tests.aprweb.conftest import build_order
from tests.atende.conftest import make_case
from tests.files import EXE, pdf_bytes

pytestmark = pytest.mark.django_db


def pdf(name):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def fields(answer):
    return {error["field"]: error["message"] for error in answer.json()["errors"]}


@pytest.fixture
def draft(customer, installation):
    return make_case(customer, installation, state=CaseState.DRAFT)


@pytest.fixture
def parses(draft, order):
    """Every time a file's bytes are parsed (type sniffed, structure opened, hashed), from here on: the
    cases above were made with their own files."""
    with mock.patch.object(uploads, "_check_upload", wraps=uploads._check_upload) as spy:
        yield spy


@pytest.fixture
def order(customer, installation, rt):
    return build_order(make_case(customer, installation, rt=rt, state=CaseState.AWAITING_TECHNICAL), rt)


def test_a_draft_attachment_is_parsed_once(customer, draft, api_as, parses):
    url = f"/api/v1/access-requests/{draft.pk}/documents/"
    answer = api_as(customer).post(url, {"kind": "identity", "file": pdf("rg.pdf")}, format="multipart")
    assert answer.status_code == 201
    assert parses.call_count == 1


def test_an_order_document_is_parsed_once(rt, order, api_as, parses):
    url = f"/api/v1/orders/{order.pk}/documents/"
    answer = api_as(rt).post(url, {"kind": "art", "file": pdf("art.pdf")}, format="multipart")
    assert answer.status_code == 201
    assert parses.call_count == 1


def test_the_services_refusals_are_answered_at_their_field(customer, draft, rt, order, api_as, parses):
    before = DocumentVersion.objects.count()
    url = f"/api/v1/access-requests/{draft.pk}/documents/"
    wrong_kind = api_as(customer).post(url, {"kind": "cnpj_card", "file": pdf("x.pdf")}, format="multipart")
    assert wrong_kind.status_code == 400 and "identity" in fields(wrong_kind)["kind"]
    assert wrong_kind.json()["detail"].startswith("kind: ")
    assert parses.call_count == 0  # a kind not asked for: the file is not even opened
    exe = api_as(customer).post(url, {"kind": "identity", "file": SimpleUploadedFile("rg.pdf", EXE)})
    assert exe.status_code == 400 and "tipo de arquivo não é aceito" in fields(exe)["file"]
    url = f"/api/v1/orders/{order.pk}/documents/"
    empty = api_as(rt).post(url, {"kind": "art", "file": SimpleUploadedFile("art.pdf", b"")})
    assert empty.status_code == 400 and "vazio" in fields(empty)["file"]
    not_listed = api_as(rt).post(url, {"kind": "storage_proof", "file": pdf("x.pdf")}, format="multipart")
    assert not_listed.status_code == 400 and "não faz parte da lista" in fields(not_listed)["kind"]
    assert DocumentVersion.objects.count() == before


def test_the_page_says_why_a_kind_outside_the_checklist_is_refused(order, rt, client):
    client.post("/apr/", {"username": rt.cpf, "password": "Apr-" + factories.PASSWORD})
    answer = client.post(
        reverse("aprweb:order_upload", args=[order.pk, "storage_proof"]),
        {"file": pdf("x.pdf")},
        follow=True,
    )
    assert answer.status_code == 200 and "não faz parte da lista" in answer.content.decode()
    assert not DocumentVersion.objects.filter(kind="storage_proof").exists()
