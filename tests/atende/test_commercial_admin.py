"""The commercial analysts' queue and decisions in the admin (SPEC §4.2, issue 3 item 7)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from atende import services
from gdportal.cases.choices import CaseState
from gdportal.cases.models import DecisionReason
from gdportal.notifications.models import OutboundEmail
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db


def decide(client, case, action, reason="", reasons=()):
    """The admin's decision form: the text and, for a rejection, the catalogue's reasons (their ids)."""
    ids = [str(pk) for pk in DecisionReason.objects.filter(code__in=reasons).values_list("pk", flat=True)]
    return client.post(
        reverse("admin:cases_case_decide", args=[case.pk, action]), {"reason": reason, "reasons": ids}
    )


def test_queue_lists_filed_requests_oldest_first(client, commercial_analyst, customer, installation):
    first, second = make_case(customer, installation), make_case(customer, installation)
    client.force_login(commercial_analyst)
    html = client.get(reverse("admin:atende_commercialqueue_changelist")).content.decode()
    assert html.index(first.protocol) < html.index(second.protocol)


def test_queue_runs_a_fixed_number_of_queries(
    client, commercial_analyst, customer, installation, django_assert_max_num_queries
):
    make_case(customer, installation)
    client.force_login(commercial_analyst)
    url = reverse("admin:atende_commercialqueue_changelist")
    client.get(url)
    with django_assert_max_num_queries(20) as baseline:
        client.get(url)
    for _ in range(20):
        make_case(customer, installation)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert client.get(url).status_code == 200


def test_case_page_shows_the_identity_document_inline(client, commercial_analyst, case):
    client.force_login(commercial_analyst)
    html = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    doc = case.documents.get()
    assert f"{reverse('atende:document', args=[doc.pk])}?inline=1" in html and "<iframe" in html
    inline = client.get(reverse("atende:document", args=[doc.pk]) + "?inline=1")
    assert inline.status_code == 200 and inline["X-Frame-Options"] == "SAMEORIGIN"
    assert "inline" in inline["Content-Disposition"]


def test_approve_issues_the_ns_and_starts_the_rt_clocks(
    client, commercial_analyst, case, django_capture_on_commit_callbacks
):
    client.force_login(commercial_analyst)
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(client, case, "approve").status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_TECHNICAL and len(case.ns) == 10 and case.ns_issued_at
    assert set(case.deadlines.open().values_list("kind", flat=True)) == {"apr_register", "apr_submit"}
    assert case.deadlines.get(kind="commercial_sla").state == "met"
    email = OutboundEmail.objects.get(template="case_ns_issued")
    assert case.ns in email.body_text and case.customer.email in email.to


def test_reject_needs_a_reason_and_tells_customer_and_rt(
    client, commercial_analyst, customer, installation, rt
):
    case = make_case(customer, installation, rt=rt)
    client.force_login(commercial_analyst)
    decide(client, case, "reject", "")
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    decide(client, case, "reject", "Documento de identificação ilegível")
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED  # no reason from the catalogue: refused
    decide(client, case, "reject", "Documento de identificação ilegível", reasons=["documento-ilegivel"])
    case.refresh_from_db()
    assert case.state == CaseState.COMMERCIAL_REJECTED
    email = OutboundEmail.objects.get(template="case_commercial_rejected")
    assert rt.email in email.to and "ilegível" in email.body_text
    assert "Documento ilegível, digitalizado sem texto ou de outro projeto" in email.body_text
    assert "Manual do Usuário APR Web" in email.body_text  # its norm reference


def test_a_second_approval_is_refused_and_changes_nothing(client, commercial_analyst, case):
    client.force_login(commercial_analyst)
    decide(client, case, "approve")
    case.refresh_from_db()
    ns = case.ns
    response = decide(client, case, "approve")
    case.refresh_from_db()
    assert case.ns == ns and case.events.filter(action="commercial_approved").count() == 1
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("não é possível" in m for m in messages)


def test_technical_analyst_cannot_decide_commercially(client, technical_analyst, case):
    client.force_login(technical_analyst)
    assert client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 200
    with pytest.raises(PermissionDenied):
        services.case_commercial_approve(case=case, by=technical_analyst)
    response = decide(client, case, "approve")
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and case.ns is None


def test_admin_cannot_edit_or_delete_a_case(client, commercial_analyst, case):
    client.force_login(commercial_analyst)
    url = reverse("admin:cases_case_change", args=[case.pk])
    client.post(url, {"holder_name": "Outro nome", "state": "connected"})
    case.refresh_from_db()
    assert case.holder_name != "Outro nome" and case.state == CaseState.SUBMITTED
    assert client.get(reverse("admin:cases_case_delete", args=[case.pk])).status_code == 403


def test_consultation_is_answered_by_the_commercial_analyst(
    client, commercial_analyst, customer, installation
):
    case = make_case(customer, installation, kind="consultation")
    client.force_login(commercial_analyst)
    decide(client, case, "answer", "Orçamento estimado: R$ 12.000; sem obras.")
    case.refresh_from_db()
    assert case.state == CaseState.CONSULTATION_ANSWERED and "12.000" in case.answer
    assert not case.deadlines.open().exists()
    decide(client, case, "approve")
    case.refresh_from_db()
    assert case.ns is None  # a consultation never becomes a connection case


def test_admin_search_finds_by_protocol_ns_and_cpf(client, commercial_analyst, customer, installation):
    case = make_case(customer, installation)
    other = make_case(customer, installation)
    client.force_login(commercial_analyst)
    url = reverse("admin:cases_case_changelist")
    html = client.get(url, {"q": case.protocol}).content.decode()
    assert case.protocol in html and other.protocol not in html
    by_cpf = client.get(url, {"q": installation.customer.document_display}).content.decode()
    assert case.protocol in by_cpf and other.protocol in by_cpf
    assert case.protocol not in client.get(url, {"q": "nada"}).content.decode()
