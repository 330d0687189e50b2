"""The kernel's document checks (gdportal/cases/findings.py, checks.py): run after the commit that stored the
version, kept with it, never a refusal; a PDF is read only in the sandbox, and a hostile one is bounded."""

import datetime as dt
import time

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from gdportal import pdfsandbox
from gdportal.cases import findings
from gdportal.cases.checks import compact, normalize, pdf_readable
from gdportal.cases.documents import document_store
from gdportal.cases.findings import DocumentFinding, Finding, PdfContent, register_check
from gdportal.cases.models import DocumentVersion
from tests.atende.conftest import make_case
from tests.files import (
    content_bomb_pdf,
    jpeg_bytes,
    pdf_with_a_broken_page,
    png_bytes,
    scanned_pdf,
    text_pdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(customer, installation):
    return make_case(customer, installation, state="draft")


def store(case, kind, content, name="arquivo.pdf"):
    return document_store(case=case, kind=kind, uploaded=ContentFile(content, name=name), by=case.filed_by)


def codes(version):
    return sorted(DocumentFinding.objects.filter(version=version).values_list("code", flat=True))


def test_the_checks_run_once_the_version_is_committed(draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        version = store(draft, "cnpj_card", png_bytes(), "cartao.png")
    version.refresh_from_db()
    assert version.checked_at is None and version.checks_pending  # nothing ran inside the transaction
    for callback in callbacks:
        callback()  # the commit: the task is published (and, in tests, runs at once)
    version.refresh_from_db()
    assert version.checked_at is not None and not version.checks_pending


def test_the_same_file_under_two_kinds_is_flagged_on_the_second(draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = store(draft, "cnpj_card", png_bytes(), "cartao.png")
        second = store(draft, "articles", png_bytes(), "contrato.png")
        other = store(draft, "representative_id", jpeg_bytes(), "rg.jpg")
    assert codes(first) == [] and codes(other) == []
    assert codes(second) == ["duplicate_file"]
    assert "“" in second.findings.get().message  # names the other kind


def test_a_new_version_of_the_same_kind_is_not_a_duplicate(draft, django_capture_on_commit_callbacks):
    content = text_pdf("Contrato social da empresa, registrado na junta comercial.")
    with django_capture_on_commit_callbacks(execute=True):
        store(draft, "articles", content)
        again = store(draft, "articles", content)
    assert codes(again) == []


def test_images_get_only_the_checks_that_read_no_pdf(draft):
    register_check("test.reads_pdf", lambda version, pdf: [Finding("read", "x")], reads_pdf=True)
    try:
        kinds = {check.code for check in findings.checks_for("identity", "image/png")}
        assert "duplicate_file" in kinds and "pdf_readable" not in kinds and "test.reads_pdf" not in kinds
        assert "test.reads_pdf" in {
            check.code for check in findings.checks_for("identity", "application/pdf")
        }
    finally:
        findings._CHECKS.pop("test.reads_pdf")


def test_no_text_layer_is_not_a_finding_on_identity_papers(draft, django_capture_on_commit_callbacks):
    """A scanned identity document is what people have; the stages choose the kinds a scan is wrong for."""
    with django_capture_on_commit_callbacks(execute=True):
        version = store(draft, "cnpj_card", scanned_pdf())
    assert codes(version) == []


def test_a_check_that_breaks_costs_only_its_own_findings(draft, caplog):
    def broken(version, pdf):
        raise ValueError("bug")

    register_check("test.broken", broken)
    register_check("test.works", lambda version, pdf: [Finding("works", "it works")])
    try:
        version = store(draft, "cnpj_card", png_bytes())
        findings.version_check(version=version)
    finally:
        findings._CHECKS.pop("test.broken")
        findings._CHECKS.pop("test.works")
    assert codes(version) == ["works"] and "test.broken failed" in caplog.text


def test_checking_twice_keeps_the_first_findings(draft):
    register_check("test.once", lambda version, pdf: [Finding("once", "x")])
    try:
        version = store(draft, "cnpj_card", png_bytes())
        findings.version_check(version=version)
        findings.version_check(version=DocumentVersion.objects.get(pk=version.pk))
    finally:
        findings._CHECKS.pop("test.once")
    assert codes(version) == ["once"]


def test_sandbox_unavailable_leaves_the_version_for_the_sweep(draft, monkeypatch):
    version = store(draft, "cnpj_card", text_pdf("Cartao CNPJ 12.345.678/0001-90 da empresa"))

    def unavailable(*args, **kwargs):
        raise pdfsandbox.PdfRefused("unavailable", "no process slots")

    monkeypatch.setattr(pdfsandbox, "inspect_pdf", unavailable)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert findings.versions_check_pending() == 0
    version.refresh_from_db()
    assert version.checked_at is None
    monkeypatch.undo()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert findings.versions_check_pending() >= 1
    version.refresh_from_db()
    assert version.checked_at is not None


def test_the_sweep_takes_the_last_day_only_and_leaves_the_fresh_ones_to_their_task(draft):
    version = store(draft, "cnpj_card", png_bytes())
    unchecked = DocumentVersion.objects.filter(case=draft, checked_at=None).count()  # with the identity
    assert findings.versions_check_pending() == 0  # seconds old: its task is on the way
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        assert findings.versions_check_pending() == 0  # uploaded before the window: left alone
        version.refresh_from_db()
        assert version.checked_at is None and not version.checks_pending  # nor polled for any more
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1)):
        assert findings.versions_check_pending() == unchecked
    version.refresh_from_db()
    assert version.checked_at is not None


def test_a_version_that_fails_does_not_hold_up_the_sweep(draft, caplog):
    lost = store(draft, "cnpj_card", text_pdf("Cartao CNPJ 12.345.678/0001-90 da empresa"))
    after = store(draft, "articles", png_bytes())
    lost.file.storage.delete(lost.file.name)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        findings.versions_check_pending()
    lost.refresh_from_db()
    after.refresh_from_db()
    assert lost.checked_at is None and after.checked_at is not None
    assert f"failed on version {lost.pk}" in caplog.text


def test_a_hostile_pdf_hits_the_bound_and_reads_as_unreadable(draft, settings):
    """Its content inflates to 60 MB of text operators: pypdf alone would read it for ~20 s. The upload check
    (which never reads page content) takes it; the checks' sandbox stops it at its CPU limit."""
    settings.GD_PDF_CPU_SECONDS = 1
    version = store(draft, "articles", content_bomb_pdf())
    started = time.monotonic()
    findings.version_check(version=version)
    assert time.monotonic() - started < 5
    assert codes(version) == ["pdf_unreadable"]
    assert version.checked_at is not None


def test_a_hostile_pdf_hits_the_memory_bound(draft, settings):
    settings.GD_PDF_MEMORY_MB = 96
    settings.GD_PDF_CPU_SECONDS = 30
    settings.GD_PDF_TIMEOUT_SECONDS = 30
    version = store(draft, "articles", content_bomb_pdf())
    started = time.monotonic()
    content = findings.read_pdf(version)
    assert time.monotonic() - started < 10
    assert content.error == "limit"


def test_a_page_whose_text_cannot_be_read_is_named(draft):
    version = store(draft, "articles", pdf_with_a_broken_page())  # the upload check takes it
    findings.version_check(version=version)
    assert codes(version) == ["pdf_unreadable_pages"]
    assert "2" in version.findings.get().message
    assert findings.read_pdf(version).texts[0].strip() == "Pagina boa, com texto suficiente"


def test_pdf_readable_findings():
    assert [f.code for f in pdf_readable(None, PdfContent(error="limit"))] == ["pdf_unreadable"]
    assert [f.code for f in pdf_readable(None, PdfContent(error="damaged"))] == ["pdf_unreadable"]
    assert [f.code for f in pdf_readable(None, PdfContent(pages=0))] == ["pdf_no_pages"]
    unreadable = list(pdf_readable(None, PdfContent(pages=3, texts=["a", "", "c"], unreadable=[2])))
    assert [f.code for f in unreadable] == ["pdf_unreadable_pages"] and "2" in str(unreadable[0].message)
    assert list(pdf_readable(None, PdfContent(pages=1, texts=["texto"]))) == []


def test_the_sandbox_returns_sizes_and_the_text_of_each_page():
    from reportlab.lib.pagesizes import A3, landscape

    result = pdfsandbox.inspect_pdf(text_pdf("Folha um", pagesize=landscape(A3), pages=3), text_pages=2)
    assert result["pages"] == 3 and len(result["sizes"]) == 3
    assert result["sizes"][0] == [round(A3[1], 2), round(A3[0], 2)]
    assert [text.strip() for text in result["page_texts"]] == ["Folha um", "Folha um"]  # two pages asked
    assert result["unreadable"] == [] and result["truncated"] is False
    scanned = pdfsandbox.inspect_pdf(scanned_pdf(), text_pages=5)
    assert scanned["page_texts"] == [""]


def test_text_helpers():
    assert normalize("  JOSÉ  da   Conceição ") == "jose da conceicao"
    assert compact("MG-2026.0001 / a") == "MG20260001A"
    assert PdfContent(pages=1, texts=[" \n"]).has_text is False
    assert PdfContent(pages=1, texts=["Memorial descritivo da geração"]).has_text is True
    assert PdfContent(error="limit").has_text is None
