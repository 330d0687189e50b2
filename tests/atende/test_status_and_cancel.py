"""Following a case: status with clock and timeline, public lookup, cancellation (SPEC §4.4, §6.4)."""

import pytest
from django.urls import reverse

from atende import services
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from gdportal.notifications.models import OutboundEmail
from tests import factories
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db


def test_status_list_shows_protocol_state_and_clock(client, customer, case):
    client.force_login(customer)
    html = client.get(reverse("atende:status")).content.decode()
    assert case.protocol in html and "Protocolada — em análise comercial" in html
    assert "Cemig — analista comercial" in html and "Análise comercial da solicitação" in html


def test_status_after_ns_shows_the_rt_24_hour_clock(client, customer, installation, commercial_analyst):
    case = make_case(customer, installation)
    case = services.case_commercial_approve(case=case, by=commercial_analyst)
    client.force_login(customer)
    html = client.get(reverse("atende:status_detail", args=[case.protocol])).content.decode()
    assert case.ns in html and "NS emitida — aguardando documentação técnica" in html
    assert "Responsável técnico — cadastrar o pedido no APR Web" in html
    register = case.deadlines.get(kind="apr_register")
    assert (register.due_at - register.started_at).total_seconds() == 24 * 3600
    from django.utils import timezone

    assert timezone.localtime(register.due_at).strftime("%d/%m/%Y %H:%M") in html


def test_status_list_runs_a_fixed_number_of_queries(
    client, customer, installation, django_assert_max_num_queries
):
    client.force_login(customer)
    make_case(customer, installation)
    client.get(reverse("atende:status"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("atende:status"))
    for _ in range(15):
        make_case(customer, installation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("atende:status"))
    assert response.content.decode().count('data-testid="state"') == 16


def test_timeline_keeps_every_transition(client, customer, installation, commercial_analyst):
    case = make_case(customer, installation)
    services.case_commercial_reject(
        case=case, by=commercial_analyst, reason="RG ilegível", reasons=["titular-divergente"]
    )
    client.force_login(customer)
    html = client.get(reverse("atende:status_detail", args=[case.protocol])).content.decode()
    assert "Protocolada — em análise comercial" in html and "Reprovada na análise comercial" in html
    assert "RG ilegível" in html


def test_public_lookup_shows_the_timeline_without_personal_data(client, case):
    response = client.post(
        reverse("tracking:public_lookup"),
        {"protocol": case.protocol, "document": case.customer.document_display},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Protocolada — em análise comercial" in html
    assert case.holder_name not in html and case.email not in html and "Rua da Bahia" not in html


def test_public_lookup_with_a_wrong_pair_says_not_found_and_is_rate_limited(client, case, settings):
    settings.GD_PUBLIC_LOOKUP_LIMIT = 3
    for _ in range(3):
        response = client.post(
            reverse("tracking:public_lookup"), {"protocol": case.protocol, "document": "390.533.447-05"}
        )
        assert response.status_code == 400 and "Nenhuma solicitação encontrada" in response.content.decode()
    blocked = client.post(
        reverse("tracking:public_lookup"),
        {"protocol": case.protocol, "document": case.customer.document_display},
    )
    assert blocked.status_code == 429


def test_holder_cancels_with_confirmation(client, customer, case, django_capture_on_commit_callbacks):
    client.force_login(customer)
    url = reverse("atende:cancel", args=[case.protocol])
    assert "imediato" in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 200  # not confirmed: nothing happens
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "on", "reason": "Desisti"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CANCELLED
    assert not case.deadlines.open().exists()
    assert OutboundEmail.objects.filter(template="case_cancelled").exists()


def test_rt_cannot_cancel(client, rt, installation, customer):
    case = make_case(customer, installation, rt=rt)
    client.force_login(rt)
    assert client.get(reverse("atende:status_detail", args=[case.protocol])).status_code == 200
    assert client.post(reverse("atende:cancel", args=[case.protocol]), {"confirm": "on"}).status_code == 403
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_cancelling_twice_is_refused_with_a_message(customer, case):
    services.case_cancel(case=case, by=customer)
    with pytest.raises(services.ServiceError, match="Cancelada"):
        services.case_cancel(case=case, by=customer)


def test_analyst_cancels_only_with_a_reason(case, commercial_analyst):
    with pytest.raises(services.ServiceError):
        services.case_cancel(case=case, by=commercial_analyst)
    services.case_cancel(case=case, by=commercial_analyst, reason="Pedido do titular por telefone")
    assert Case.objects.get().state == CaseState.CANCELLED


def test_every_case_url_is_404_for_an_outsider(client, case, customer, installation, outsider, other_rt):
    doc = case.documents.get()
    # The draft pages are tried on a real draft (the sent case would be 404 there for anyone, owner included).
    draft = make_case(customer, installation, state=CaseState.DRAFT)
    urls = [
        reverse("atende:status_detail", args=[case.protocol]),
        reverse("atende:receipt", args=[case.protocol]),
        reverse("atende:cancel", args=[case.protocol]),
        reverse("atende:document", args=[doc.pk]),
        reverse("atende:draft", args=[draft.pk]),
        reverse("atende:draft_edit", args=[draft.pk]),
        reverse("atende:document", args=[draft.documents.get().pk]),
    ]
    client.force_login(customer)
    for url in urls:
        assert client.get(url).status_code == 200, ("owner", url)
    for person in (outsider, other_rt):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
        assert case.protocol not in client.get(reverse("atende:status")).content.decode()


def test_a_draft_is_only_for_whoever_filed_it(client, customer, installation, rt):
    draft = make_case(customer, installation, state=CaseState.DRAFT, rt=rt)
    doc = draft.documents.get()
    client.force_login(customer)  # the holder sees it once sent, not while the RT is still typing
    assert client.get(reverse("atende:draft", args=[draft.pk])).status_code == 404
    assert client.get(reverse("atende:document", args=[doc.pk])).status_code == 404
    client.force_login(rt)
    assert client.get(reverse("atende:document", args=[doc.pk])).status_code == 200


def test_owner_downloads_the_document_with_safe_headers(client, customer, case):
    client.force_login(customer)
    doc = case.documents.get()
    response = client.get(reverse("atende:document", args=[doc.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "private, no-store"
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_protocol_numbers_are_sequential_per_year(customer, installation):
    first = make_case(customer, installation).protocol
    second = make_case(customer, installation).protocol
    assert int(second) == int(first) + 1


def test_staff_without_a_group_sees_no_case(case):
    bare_staff = factories.StaffFactory()
    assert not Case.objects.for_user(bare_staff).exists()


def test_the_case_page_of_a_new_case_runs_no_query_for_empty_panels(
    client, customer, installation, django_assert_max_num_queries
):
    """The stages' panels (reasons, parecer, units, flow studies) say in one query whether they have
    anything to show (gdportal.cases.extensions, issue 15): a case just filed reads the session, the user,
    itself, its clocks, that answer, its timeline and its documents — nothing else."""
    case = make_case(customer, installation)
    url = reverse("atende:status_detail", args=[case.protocol])
    client.force_login(customer)
    client.get(url)
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200 and 'data-testid="timeline"' in response.content.decode()
