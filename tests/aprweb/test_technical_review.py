"""The technical analyst reviews an order in one go (issue 10, item 18): every verdict and the decision on one
form, one submit, the document open beside the checklist. The services stay the last word: the whole form is
one transaction, so a refused decision leaves every verdict as it was."""

import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aprweb.services_technical import case_technical_approve, version_verdict
from gdportal.cases.choices import CaseState, Verdict
from gdportal.cases.documents import document_store, latest_versions
from gdportal.cases.models import DecisionReason
from gdportal.cases.services import ServiceError
from gdportal.generation.documents import GENERATED_KINDS
from tests import factories
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db


def technical_versions(case):
    """The versions the analyst judges: not the identity papers, nor the documents the portal generates from
    the data step (SPEC §16: the verdict is on the data, the generated PDFs need none)."""
    return {
        kind: v
        for kind, v in latest_versions(case).items()
        if kind != "identity" and kind not in GENERATED_KINDS
    }


def review_url(case):
    return reverse("admin:aprweb_technicalqueue_change", args=[case.pk])


def form_data(case, *, verdicts=None, default="conforming", **extra):
    """What the analyst's browser posts: a verdict, a note and reasons (their catalogue ids) per document,
    then the decision. `verdicts`: {kind: (verdict, note)} or (verdict, note, [reason codes])."""
    verdicts = verdicts or {}
    data = {}
    for kind, version in technical_versions(case).items():
        verdict, note, *chosen = verdicts.get(kind, (default, ""))
        if verdict:
            data[f"verdict-{version.pk}"] = verdict
        data[f"note-{version.pk}"] = note
        if chosen:
            data[f"reasons-{version.pk}"] = reason_ids(chosen[0])
    # The generation data step (SPEC §16) is judged on the same form, like a document.
    data["data_verdict"], data["data_note"] = verdicts.get("generation_data", (default, ""))
    data.update(extra)
    return data


@pytest.fixture
def analyst_client(client, technical_analyst):
    client.force_login(technical_analyst)
    return client


def reason_ids(codes):
    return [str(pk) for pk in DecisionReason.objects.filter(code__in=codes).values_list("pk", flat=True)]


def verdicts_in_db(case):
    return {kind: (v.verdict, v.verdict_note) for kind, v in technical_versions(case).items()}


def test_one_post_sets_every_verdict_and_approves(analyst_client, submitted_order, technical_analyst):
    case = submitted_order.case
    response = analyst_client.post(review_url(case), form_data(case, decision="approve"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    versions = technical_versions(case).values()
    assert versions and all(
        v.verdict == Verdict.CONFORMING and v.verdict_by == technical_analyst for v in versions
    )
    assert case.deadlines.filter(kind="parecer_sla", state="open").exists()


def test_a_nonconforming_verdict_with_approve_is_refused_and_nothing_changes(analyst_client, submitted_order):
    case = submitted_order.case
    before = verdicts_in_db(case)
    data = form_data(
        case,
        verdicts={"art": ("nonconforming", "ART sem comprovante de pagamento", ["art-ausente"])},
        decision="approve",
    )
    response = analyst_client.post(review_url(case), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Para aprovar, todos os documentos exigidos precisam estar conformes" in html
    assert "ART/TRT paga do RT (projeto e execução)" in html
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW
    assert verdicts_in_db(case) == before  # not one verdict of the refused form was kept
    # The form comes back as the analyst left it: nothing typed is lost.
    art = technical_versions(case)["art"]
    assert re.search(rf'name="verdict-{art.pk}" value="nonconforming"[^>]*checked', html)
    assert "ART sem comprovante de pagamento" in html


def test_suspend_in_one_go_lists_the_nonconforming_documents(analyst_client, submitted_order):
    case = submitted_order.case
    data = form_data(
        case,
        verdicts={"art": ("nonconforming", "ART sem comprovante de pagamento", ["art-ausente"])},
        decision="suspend",
        note="Corrigir a ART",
    )
    assert analyst_client.post(review_url(case), data).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_CORRECTION
    event = case.events.get(action="suspended")
    assert "ART sem comprovante de pagamento" in event.note and "Corrigir a ART" in event.note


def test_reject_without_a_reason_is_refused_and_keeps_no_verdict(analyst_client, submitted_order):
    case = submitted_order.case
    response = analyst_client.post(review_url(case), form_data(case, decision="reject", note=" "))
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW
    assert all(verdict == "" for verdict, _note in verdicts_in_db(case).values())


def test_all_conforming_marks_only_the_unjudged_versions(analyst_client, submitted_order, technical_analyst):
    case = submitted_order.case
    memorial = technical_versions(case)["generation_memorial"]
    version_verdict(
        version=memorial,
        by=technical_analyst,
        verdict="nonconforming",
        note="Sem assinatura",
        reasons=["memorial-divergente"],
    )
    # The analyst ticks "todos conformes", judges nothing else, and suspends: the saved verdict stands.
    data = {"all_conforming": "on", "decision": "suspend"}
    assert analyst_client.post(review_url(case), data).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_CORRECTION
    saved = verdicts_in_db(case)
    assert saved.pop("generation_memorial") == ("nonconforming", "Sem assinatura")
    assert saved and all(verdict == "conforming" for verdict, _note in saved.values())


def test_all_conforming_then_approve(analyst_client, submitted_order):
    case = submitted_order.case
    assert (
        analyst_client.post(review_url(case), {"all_conforming": "on", "decision": "approve"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED


def test_saving_the_verdicts_alone_keeps_the_case_under_analysis(analyst_client, submitted_order):
    case = submitted_order.case
    data = form_data(
        case, verdicts={"art": ("nonconforming", "Falta a assinatura", ["art-ausente"])}, default=""
    )
    assert analyst_client.post(review_url(case), data).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW
    assert verdicts_in_db(case)["art"] == ("nonconforming", "Falta a assinatura")


def test_saved_verdicts_are_preselected(analyst_client, submitted_order, technical_analyst):
    case = submitted_order.case
    art = technical_versions(case)["art"]
    version_verdict(
        version=art,
        by=technical_analyst,
        verdict="nonconforming",
        note="Falta a assinatura",
        reasons=["art-ausente"],
    )
    html = analyst_client.get(review_url(case)).content.decode()
    assert re.search(rf'name="verdict-{art.pk}" value="nonconforming"[^>]*checked', html)
    assert not re.search(rf'name="verdict-{art.pk}" value="conforming"[^>]*checked', html)
    assert re.search(rf'name="note-{art.pk}"[^>]*value="Falta a assinatura"', html)
    (art_reason,) = reason_ids(["art-ausente"])
    assert re.search(rf'<option value="{art_reason}"[^>]*selected', html)  # its reason, chosen


def test_the_document_opens_beside_the_checklist(analyst_client, submitted_order):
    case = submitted_order.case
    html = analyst_client.get(review_url(case)).content.decode()
    viewer = re.search(r'<iframe[^>]*name="doc-viewer"[^>]*src="([^"]+)"', html)
    assert viewer, "no document viewer on the page"
    art = technical_versions(case)["art"]
    link = reverse("atende:document", args=[art.pk]) + "?inline=1"
    assert f'href="{link}" target="doc-viewer"' in html
    # The framed view must allow a same-origin frame, and serve inline.
    response = analyst_client.get(viewer.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.get("Content-Security-Policy", "frame-ancestors 'self'")
    assert response["Content-Disposition"].startswith("inline")


def test_the_review_page_runs_a_fixed_number_of_queries(analyst_client, submitted_order, rt):
    case = submitted_order.case
    url = review_url(case)
    analyst_client.get(url)
    with CaptureQueriesContext(connection) as few:
        analyst_client.get(url)
    # More versions of every document (the history grows), more events.
    for n, kind in enumerate(technical_versions(case), start=2):
        document_store(case=case, kind=kind, uploaded=ContentFile(pdf_bytes(n), name=f"{kind}-2.pdf"), by=rt)
    with CaptureQueriesContext(connection) as many:
        analyst_client.get(url)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_only_a_technical_analyst_posts_the_review(client, commercial_analyst, submitted_order):
    case = submitted_order.case
    client.force_login(commercial_analyst)
    assert client.post(review_url(case), form_data(case, decision="approve")).status_code == 403
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW


def test_the_approval_refusal_names_the_documents_in_plain_portuguese(submitted_order, technical_analyst):
    """Issue 10 item 19: not "(1 não estão)" but which documents stop the approval."""
    case = submitted_order.case
    versions = technical_versions(case)
    for kind, version in versions.items():
        if kind not in ("art", "generation_memorial"):
            version_verdict(version=version, by=technical_analyst, verdict="conforming")
    version_verdict(
        version=versions["generation_memorial"],
        by=technical_analyst,
        verdict="nonconforming",
        note="x",
        reasons=["memorial-divergente"],
    )
    factories.judge_generation(case, technical_analyst)
    with pytest.raises(ServiceError) as refused:
        case_technical_approve(case=case, by=technical_analyst)
    message = str(refused.value)
    assert message == (
        "Para aprovar, todos os documentos exigidos precisam estar conformes. Falta(m): "
        "ART/TRT paga do RT (projeto e execução), Memorial descritivo da geração."
    )
