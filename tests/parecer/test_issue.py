"""Issuing the parecer (SPEC §6.1): the PDF is rendered, stored immutable with its SHA-256, and e-mailed."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from gdportal.cases.choices import CaseState
from gdportal.cases.models import DocumentVersion
from gdportal.cases.services import RuleBroken
from gdportal.notifications.models import OutboundEmail
from parecer.models import Parecer
from tests.parecer.conftest import issue

pytestmark = pytest.mark.django_db


def test_a_favourable_parecer_is_a_stored_pdf_with_its_hash_and_an_email(
    approved_case, technical_analyst, customer, rt
):
    parecer = issue(approved_case, technical_analyst)
    approved_case.refresh_from_db()
    assert approved_case.state == CaseState.PARECER_ISSUED
    document = parecer.document
    assert document.kind == "parecer" and document.content_type == "application/pdf"
    data = default_storage.open(document.file.name).read()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert approved_case.protocol in text
    assert parecer.valid_until.strftime("%d/%m/%Y") in text
    assert parecer.code_display in text
    email = OutboundEmail.objects.get(template="parecer_issued")
    assert approved_case.customer.email in email.to and rt.email in email.to
    assert reverse("atende:document", args=[document.pk]) in email.body_text


def test_bad_content_saves_nothing(approved_case, technical_analyst):
    with pytest.raises(RuleBroken) as refused:
        issue(approved_case, technical_analyst, favourable=False, unfavourable_reason="")
    assert "unfavourable_reason" in refused.value.errors
    with pytest.raises(RuleBroken) as refused:
        issue(approved_case, technical_analyst, financial_participation="500")  # micro pays nothing
    assert "financial_participation" in refused.value.errors
    approved_case.refresh_from_db()
    assert approved_case.state == CaseState.APPROVED
    assert not Parecer.objects.exists() and not DocumentVersion.objects.filter(kind="parecer").exists()


def test_only_a_technical_analyst_issues(approved_case, commercial_analyst, customer):
    for user in (commercial_analyst, customer):
        with pytest.raises(PermissionDenied):
            issue(approved_case, user)


def test_the_pdf_opens_for_the_case_people_and_is_a_404_for_others(
    client, approved_case, technical_analyst, customer, rt, other_rt, outsider
):
    parecer = issue(approved_case, technical_analyst)
    url = reverse("atende:document", args=[parecer.document.pk])
    expected = [(customer, 200), (rt, 200), (technical_analyst, 200), (other_rt, 404), (outsider, 404)]
    for user, status in expected:
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_an_unfavourable_parecer_names_its_reasons_in_the_pdf_the_email_and_the_case_page(
    approved_case, technical_analyst, customer, client
):
    with pytest.raises(RuleBroken) as refused:
        issue(approved_case, technical_analyst, favourable=False, reasons=[])
    assert list(refused.value.errors) == ["reasons"]  # the text alone is not enough (SPEC §15)

    parecer = issue(approved_case, technical_analyst, favourable=False, reasons=["rede-sem-capacidade"])
    wording = "Rede sem capacidade para a potência a injetar no ponto de conexão, sem obra viável no prazo"
    data = default_storage.open(parecer.document.file.name).read()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Rede sem capacidade" in text and "PRODIST" in text
    email = OutboundEmail.objects.get(template="parecer_unfavourable")
    assert wording in email.body_text and "PRODIST Módulo 3" in email.body_text
    client.force_login(customer)
    page = client.get(reverse("atende:status_detail", args=[approved_case.protocol])).content.decode()
    assert wording in page and "PRODIST Módulo 3; REN 1.000/2021 (parecer de acesso)" in page
