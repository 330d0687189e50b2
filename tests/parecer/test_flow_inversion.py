"""The parecer "por inversão de fluxo" (SPEC §15): an unfavourable opinion or an injection limit carries the
study PDF, its engineer and ART; the limit is on the parecer's PDF and the case page; a case art. 73-A
dispenses is offered neither and the service refuses them."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from gdportal.cases.choices import CaseState
from gdportal.cases.models import FlowStudy
from gdportal.cases.services import RuleBroken
from parecer.models import Parecer
from tests.parecer.test_admin_queues import approved, field_block, issue_form

pytestmark = pytest.mark.django_db

STUDY = {"study_engineer": "Eng. Carla Menezes", "study_art": "MG20260012345"}


def study_pdf():
    from tests.files import pdf_bytes

    return SimpleUploadedFile("estudo.pdf", pdf_bytes(), content_type="application/pdf")


def issue_url(case):
    return reverse("admin:parecer_parecerqueue_issue", args=[case.pk])


def pdf_text(parecer):
    data = default_storage.open(parecer.document.file.name).read()
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_an_injection_limit_needs_the_study_then_shows_on_the_pdf_and_the_case_page(
    client, technical_analyst, customer, installation
):
    case = approved(customer, installation)
    client.force_login(technical_analyst)
    refused = client.post(issue_url(case), issue_form(injection_limit_kw="5,5"))
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Anexe o estudo de inversão de fluxo (PDF)" in field_block(html, "study_file")
    assert "Informe o número da ART do estudo." in field_block(html, "study_art")
    assert not Parecer.objects.exists()

    done = client.post(issue_url(case), issue_form(injection_limit_kw="5,5", study_file=study_pdf(), **STUDY))
    assert done.status_code == 302
    parecer = Parecer.objects.get(case=case)
    assert parecer.favourable and parecer.flow_inversion and str(parecer.injection_limit_kw) == "5.50"
    assert FlowStudy.objects.get(case=case).decision == "injection_limit"
    text = pdf_text(parecer)
    assert "Limite de injeção" in text and "5,5 kW" in text
    assert "MG20260012345" in text
    detail = client.get(reverse("admin:parecer_parecer_change", args=[parecer.pk])).content.decode()
    assert "Limite de injeção: 5,5 kW" in detail and "Eng. Carla Menezes, ART MG20260012345" in detail

    client.force_login(customer)
    page = client.get(reverse("atende:status_detail", args=[case.protocol])).content.decode()
    assert 'data-testid="parecer-injection-limit"' in page
    assert "Engenheiro Eng. Carla Menezes · ART MG20260012345" in page


def test_a_limit_at_or_above_the_installed_power_is_refused(technical_analyst, customer, installation):
    from parecer.services import parecer_issue
    from tests.parecer.test_admin_queues import PARECER

    case = approved(customer, installation)
    with pytest.raises(RuleBroken) as refused:
        parecer_issue(
            case=case,
            by=technical_analyst,
            favourable=True,
            injection_limit_kw=case.power_kw,
            study_file=study_pdf(),
            **PARECER,
            **STUDY,
        )
    assert list(refused.value.errors) == ["injection_limit_kw"]


def test_an_unfavourable_parecer_for_flow_inversion_carries_its_study(
    client, technical_analyst, customer, installation
):
    case = approved(customer, installation)
    client.force_login(technical_analyst)
    data = issue_form(
        favourable="no", unfavourable_reason="Inversão de fluxo no alimentador.", flow_inversion="on"
    )
    assert client.post(issue_url(case), data).status_code == 400
    response = client.post(issue_url(case), {**data, "study_file": study_pdf(), **STUDY})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.PARECER_UNFAVOURABLE
    assert FlowStudy.objects.get(case=case).decision == "parecer_unfavourable"


def test_a_dispensed_case_is_offered_no_flow_inversion_and_the_service_refuses_it(
    client, technical_analyst, customer, installation
):
    from parecer.services import parecer_issue
    from tests.parecer.test_admin_queues import PARECER

    case = approved(customer, installation, flow_dispensation="fast_track")
    client.force_login(technical_analyst)
    page = client.get(issue_url(case)).content.decode()
    assert 'name="flow_inversion"' not in page and 'name="injection_limit_kw"' not in page
    with pytest.raises(RuleBroken) as refused:
        parecer_issue(
            case=case,
            by=technical_analyst,
            favourable=False,
            unfavourable_reason="Inversão de fluxo.",
            flow_inversion=True,
            study_file=study_pdf(),
            **PARECER,
            **STUDY,
        )
    assert "Dispensada da análise de inversão de fluxo (art. 73-A)" in str(refused.value)
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED and not Parecer.objects.exists()
