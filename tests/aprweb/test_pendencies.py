"""A suspended order is not complete (issue 10, item 6): a document whose latest version the analyst marked
not conforming is a pendência until the RT sends a new version of it, and the order cannot go back to
analysis before every pendência has one."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aprweb.services_orders import order_submit
from aprweb.services_technical import case_technical_suspend, version_verdict
from gdportal.cases.choices import CaseState
from gdportal.cases.documents import latest_versions
from gdportal.cases.services import ServiceError
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db

COMPLETE = "Todos os documentos exigidos estão anexados."


@pytest.fixture
def suspended_order(submitted_order, technical_analyst):
    """The analyst found the ART and the memorial wrong and suspended the order."""
    case = submitted_order.case
    notes = {"art": "ART sem comprovante de pagamento", "generation_memorial": "Memorial sem assinatura"}
    for version in latest_versions(case).values():
        if version.kind == "identity":
            continue
        wrong = version.kind in notes
        version_verdict(
            version=version,
            by=technical_analyst,
            verdict="nonconforming" if wrong else "conforming",
            note=notes.get(version.kind, ""),
            reasons=["memorial-divergente"] if wrong else [],
        )
    case_technical_suspend(case=case, by=technical_analyst)
    submitted_order.refresh_from_db()
    assert submitted_order.case.state == CaseState.PENDING_CORRECTION
    return submitted_order


def page(apr_client, order):
    return apr_client.get(reverse("aprweb:order", args=[order.pk])).content.decode()


def resend(apr_client, order, kind, n):
    response = apr_client.post(
        reverse("aprweb:order_upload", args=[order.pk, kind]),
        {"file": SimpleUploadedFile(f"{kind}-v2.pdf", pdf_bytes(n))},
    )
    assert response.status_code == 302


def test_the_rt_sees_what_to_replace_and_no_all_attached_message(apr_client, suspended_order):
    html = page(apr_client, suspended_order)
    assert COMPLETE not in html
    assert "2 documentos marcados como não conformes precisam de uma nova versão" in html
    assert "ART/TRT paga do RT" in html and "Memorial descritivo da geração" in html
    # The resend button waits for the new versions.
    assert 'type="submit" disabled aria-disabled="true">Reenviar para análise' in html


def test_resubmission_is_refused_naming_the_documents_still_pending(apr_client, suspended_order, rt):
    resend(apr_client, suspended_order, "art", 2)  # one of the two replaced
    with pytest.raises(ServiceError) as refused:
        order_submit(order=suspended_order, by=rt)
    assert "Memorial descritivo da geração" in str(refused.value)
    assert "ART" not in str(refused.value)
    response = apr_client.post(reverse("aprweb:order_submit", args=[suspended_order.pk]), follow=True)
    html = response.content.decode()
    assert "Envie uma nova versão dos documentos não conformes antes de reenviar" in html
    suspended_order.case.refresh_from_db()
    assert suspended_order.case.state == CaseState.PENDING_CORRECTION
    assert suspended_order.case.deadlines.get(kind="correction").state == "open"


def test_after_a_new_version_of_each_the_order_goes_back_to_analysis(apr_client, suspended_order):
    resend(apr_client, suspended_order, "art", 2)
    resend(apr_client, suspended_order, "generation_memorial", 3)
    html = page(apr_client, suspended_order)
    assert COMPLETE in html and "não conformes precisam" not in html
    apr_client.post(reverse("aprweb:order_submit", args=[suspended_order.pk]))
    suspended_order.case.refresh_from_db()
    assert suspended_order.case.state == CaseState.TECHNICAL_REVIEW
