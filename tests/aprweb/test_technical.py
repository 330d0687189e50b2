"""Technical analysis (SPEC §5.4), correction rounds and re-analysis (SPEC §6.2)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aprweb.services_orders import order_submit
from aprweb.services_reanalysis import case_reanalysis_request
from aprweb.services_technical import case_technical_approve, case_technical_reject, version_verdict
from gdportal.cases.choices import CaseState
from gdportal.cases.services import ServiceError
from gdportal.notifications.models import OutboundEmail
from tests import factories
from tests.aprweb.conftest import attach
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db


def judge_all(case, analyst, verdict="conforming", note=""):
    from gdportal.cases.documents import latest_versions

    for version in latest_versions(case).values():
        if version.kind == "identity":
            continue
        version_verdict(version=version, by=analyst, verdict=verdict, note=note)
    factories.judge_generation(case, analyst, verdict, note)


def decide(client, case, action, **data):
    return client.post(reverse("admin:aprweb_technicalqueue_decide", args=[case.pk, action]), data)


def test_queue_shows_orders_under_analysis_oldest_first(client, technical_analyst, submitted_order):
    client.force_login(technical_analyst)
    html = client.get(reverse("admin:aprweb_technicalqueue_changelist")).content.decode()
    assert submitted_order.protocol in html
    page = client.get(reverse("admin:aprweb_technicalqueue_change", args=[submitted_order.case.pk]))
    assert page.status_code == 200 and "ART/TRT paga do RT" in page.content.decode()


def test_approve_needs_every_latest_version_conforming(
    client, technical_analyst, submitted_order, django_capture_on_commit_callbacks
):
    case = submitted_order.case
    client.force_login(technical_analyst)
    decide(client, case, "approve")
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW
    judge_all(case, technical_analyst)
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, case, "approve")
    case.refresh_from_db()
    submitted_order.refresh_from_db()
    assert case.state == CaseState.APPROVED and submitted_order.answered_at is not None
    clock = case.deadlines.get(kind="parecer_sla")
    assert (clock.due_at.date() - clock.started_at.date()).days >= 15
    assert OutboundEmail.objects.filter(template="case_technical_approved").exists()


def test_suspend_correct_resubmit_approve(
    apr_client, technical_analyst, submitted_order, rt, django_capture_on_commit_callbacks
):
    from django.test import Client

    case = submitted_order.case
    client = Client()  # the analyst's own browser, beside the RT's
    client.force_login(technical_analyst)
    decide(client, case, "suspend")  # nothing marked non-conforming yet: refused
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW
    judge_all(case, technical_analyst)
    art = case.documents.get(kind="art")
    with pytest.raises(ServiceError):
        version_verdict(version=art, by=technical_analyst, verdict="nonconforming", note="")
    decide(
        client,
        case,
        "verdict",
        version=art.pk,
        verdict="nonconforming",
        note="ART sem comprovante de pagamento",
    )
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, case, "suspend", note="Corrigir a ART")
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_CORRECTION
    assert case.deadlines.get(kind="correction").state == "open"
    email = OutboundEmail.objects.get(template="case_suspended")
    assert "ART sem comprovante de pagamento" in email.body_text and rt.email in email.to

    page = apr_client.get(reverse("aprweb:order", args=[submitted_order.pk])).content.decode()
    assert "Pendências" in page and "ART sem comprovante de pagamento" in page
    apr_client.post(
        reverse("aprweb:order_upload", args=[submitted_order.pk, "art"]),
        {"file": SimpleUploadedFile("art-paga.pdf", pdf_bytes(2))},
    )
    apr_client.post(reverse("aprweb:order_submit", args=[submitted_order.pk]))
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW
    assert case.deadlines.get(kind="correction").state == "met"

    review = client.get(reverse("admin:aprweb_technicalqueue_change", args=[case.pk])).content.decode()
    assert "novo desde a última análise" in review and "art-paga.pdf" in review
    new_art = case.documents.filter(kind="art").order_by("-uploaded_at", "-id").first()
    version_verdict(version=new_art, by=technical_analyst, verdict="conforming")
    decide(client, case, "approve")
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert case.documents.filter(kind="art").count() == 2  # the non-conforming version stays in history


def test_reject_and_reanalysis_keep_the_earlier_round(client, technical_analyst, submitted_order, customer):
    case = submitted_order.case
    client.force_login(technical_analyst)
    decide(client, case, "reject", reason="")
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW
    decide(client, case, "reject", reason="Projeto incompatível com a ND 5.30")
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REJECTED
    old_ns = case.ns
    client.force_login(customer)
    page = client.get(reverse("aprweb:reanalysis", args=[case.protocol]))
    assert page.status_code == 200
    client.post(reverse("aprweb:reanalysis", args=[case.protocol]), {"ns": "0000000000"})
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REJECTED
    client.post(reverse("aprweb:reanalysis", args=[case.protocol]), {"ns": old_ns})
    case.refresh_from_db()
    submitted_order.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW and case.ns != old_ns and submitted_order.ns == case.ns
    actions = list(case.events.values_list("action", flat=True))
    assert "technical_rejected" in actions and actions[-1] == "reanalysis"


def test_stale_or_illegal_transitions_change_nothing(technical_analyst, submitted_order, rt):
    case = submitted_order.case
    judge_all(case, technical_analyst)
    case_technical_approve(case=case, by=technical_analyst)
    for action in (
        lambda: case_technical_approve(case=case, by=technical_analyst),
        lambda: case_technical_reject(case=case, by=technical_analyst, reason="x"),
        lambda: order_submit(order=submitted_order, by=rt),
    ):
        with pytest.raises(ServiceError):
            action()
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert case.events.filter(action="technical_approved").count() == 1
    with pytest.raises(ServiceError):
        attach(submitted_order, "art", rt)


def test_commercial_analyst_cannot_decide_technically(client, commercial_analyst, submitted_order):
    client.force_login(commercial_analyst)
    assert decide(client, submitted_order.case, "reject", reason="x").status_code == 403
    submitted_order.case.refresh_from_db()
    assert submitted_order.case.state == CaseState.TECHNICAL_REVIEW


def test_customer_status_shows_approved(client, customer, technical_analyst, submitted_order):
    judge_all(submitted_order.case, technical_analyst)
    case_technical_approve(case=submitted_order.case, by=technical_analyst)
    client.force_login(customer)
    html = client.get(reverse("atende:status_detail", args=[submitted_order.protocol])).content.decode()
    assert "Aprovada — parecer de acesso em elaboração" in html


def test_reanalysis_is_for_the_case_people_only(
    client, technical_analyst, submitted_order, outsider, commercial_analyst
):
    case = submitted_order.case
    case_technical_reject(case=case, by=technical_analyst, reason="Projeto incompatível")
    for stranger in (outsider, commercial_analyst):
        with pytest.raises(PermissionDenied):
            case_reanalysis_request(case=case, by=stranger, rejected_ns=case.ns)
    client.force_login(outsider)
    assert client.get(reverse("aprweb:reanalysis", args=[case.protocol])).status_code == 404
