"""Refusing or suspending "por inversão de fluxo" carries the study (SPEC §15, REN 1.000 art. 73): the PDF,
its engineer and ART, or the analyst is told at the field; a case art. 73-A dispenses is offered no such
option and the service refuses one sent anyway. The RT then finds the study on the case page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aprweb.services_technical import case_technical_review
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case, FlowStudy
from gdportal.cases.services import RuleBroken
from tests.api.conftest import token_client
from tests.aprweb.test_technical_review import form_data, review_url
from tests.files import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

STUDY = {"study_engineer": "Eng. Carla Menezes", "study_art": "MG20260012345"}
NOTE = "Inversão de fluxo no transformador 45 kVA: ver estudo anexo."


def study_pdf(name="estudo-inversao.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def analyst_client(client, technical_analyst):
    client.force_login(technical_analyst)
    return client


def suspend_data(case, **extra):
    # One document not conforming, as any suspension needs; the decision "por inversão de fluxo".
    return form_data(
        case,
        verdicts={"art": ("nonconforming", "ART sem comprovante")},
        decision="suspend",
        note=NOTE,
        flow_inversion="on",
        **extra,
    )


def test_a_flow_inversion_suspension_without_the_study_is_refused_at_each_field(
    analyst_client, submitted_order
):
    case = submitted_order.case
    response = analyst_client.post(review_url(case), suspend_data(case))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Anexe o estudo de inversão de fluxo (PDF)" in html
    assert "Informe o nome do engenheiro responsável pelo estudo." in html
    assert "Informe o número da ART do estudo." in html
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW
    assert not FlowStudy.objects.filter(case=case).exists()


def test_a_study_that_is_not_a_pdf_is_refused(analyst_client, submitted_order):
    case = submitted_order.case
    image = SimpleUploadedFile("estudo.png", png_bytes(), content_type="image/png")
    response = analyst_client.post(review_url(case), suspend_data(case, study_file=image, **STUDY))
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).state == CaseState.TECHNICAL_REVIEW


def test_with_the_study_the_suspension_goes_through_and_the_rt_sees_it(
    analyst_client, submitted_order, client, rt
):
    case = submitted_order.case
    response = analyst_client.post(review_url(case), suspend_data(case, study_file=study_pdf(), **STUDY))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_CORRECTION
    study = FlowStudy.objects.get(case=case)
    assert (study.decision, study.engineer, study.art_number) == (
        "technical_suspend",
        "Eng. Carla Menezes",
        "MG20260012345",
    )

    client.force_login(rt)
    page = client.get(reverse("atende:status_detail", args=[case.protocol])).content.decode()
    assert "Estudos de inversão de fluxo" in page
    assert "Engenheiro Eng. Carla Menezes · ART MG20260012345" in page
    download = client.get(reverse("atende:document", args=[study.document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    # Integrators read the same through the API.
    detail = token_client(rt).get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["flow_studies"] == [
        {
            "decision": "technical_suspend",
            "decision_label": "Suspensão na análise técnica",
            "document": study.document.pk,
            "engineer": "Eng. Carla Menezes",
            "art_number": "MG20260012345",
            "created_at": detail["flow_studies"][0]["created_at"],
        }
    ]


def test_an_outsider_cannot_download_the_study(analyst_client, submitted_order, client, other_rt):
    case = submitted_order.case
    analyst_client.post(review_url(case), suspend_data(case, study_file=study_pdf(), **STUDY))
    study = FlowStudy.objects.get(case=case)
    client.force_login(other_rt)
    assert client.get(reverse("atende:document", args=[study.document.pk])).status_code == 404


def test_a_dispensed_case_offers_no_flow_inversion_and_the_service_refuses_one(
    analyst_client, submitted_order, technical_analyst
):
    case = submitted_order.case
    Case.objects.filter(pk=case.pk).update(flow_dispensation="fast_track")
    page = analyst_client.get(review_url(case)).content.decode()
    assert 'name="flow_inversion"' not in page
    assert 'name="study_file"' not in page
    assert "Dispensada da análise de inversão de fluxo (art. 73-A)" in page

    # The service itself says no, study or not.
    case.refresh_from_db()
    with pytest.raises(RuleBroken) as refused:
        case_technical_review(
            case=case,
            by=technical_analyst,
            verdicts={},
            decision="reject",
            note=NOTE,
            flow_inversion=True,
            study_file=study_pdf(),
            **STUDY,
        )
    assert "Dispensada da análise de inversão de fluxo (art. 73-A)" in str(refused.value)
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW

    # A form sent anyway (an old page, a hand-made POST): the option is not even read — the suspension is
    # an ordinary one, for its pending document, and no flow-inversion study hangs from it.
    analyst_client.post(review_url(case), suspend_data(case, study_file=study_pdf(), **STUDY))
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_CORRECTION
    assert not FlowStudy.objects.filter(case=case).exists()


def test_a_flow_inversion_rejection_with_its_study(technical_analyst, submitted_order):
    case = submitted_order.case
    case_technical_review(
        case=case,
        by=technical_analyst,
        verdicts={},
        decision="reject",
        note=NOTE,
        flow_inversion=True,
        study_file=study_pdf(),
        **STUDY,
    )
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REJECTED
    assert FlowStudy.objects.get(case=case).decision == "technical_reject"


def test_an_art_number_without_digits_is_refused(technical_analyst, submitted_order):
    case = submitted_order.case
    with pytest.raises(RuleBroken) as refused:
        case_technical_review(
            case=case,
            by=technical_analyst,
            verdicts={},
            decision="reject",
            note=NOTE,
            flow_inversion=True,
            study_file=study_pdf(),
            study_engineer="Eng. Carla Menezes",
            study_art="ver anexo",
        )
    assert set(refused.value.errors) == {"study_art"}
