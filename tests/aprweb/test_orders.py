"""Registering an order, uploading versioned documents, submitting, searching (SPEC §5.2, §5.3, §5.5)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aprweb.documents import required_kinds
from aprweb.models import AprOrder
from gdportal.cases.choices import CaseState
from gdportal.cases.models import DocumentVersion
from gdportal.cases.services import ServiceError
from tests import factories
from tests.aprweb.conftest import attach, attach_all, build_order, register
from tests.atende.conftest import make_case
from tests.files import EXE, pdf_bomb, pdf_bytes

pytestmark = pytest.mark.django_db


def lookup(client, case, document=None, person_type="PF", claim_code=None):
    return client.post(
        reverse("aprweb:order_new"),
        {
            "lookup": "1",
            "protocol": case.protocol,
            "person_type": person_type,
            "document": document or case.customer.document_display,
            "claim_code": case.claim_code if claim_code is None else claim_code,
        },
    )


def test_rt_finds_the_case_and_registers_the_order(
    apr_client, awaiting_case, rt, rt_registration, django_capture_on_commit_callbacks
):
    page = lookup(apr_client, awaiting_case)
    assert awaiting_case.ns in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = register(apr_client, awaiting_case)
    order = AprOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("aprweb:order", args=[order.pk])
    assert order.ns == awaiting_case.ns and order.rt == rt and order.situation == CaseState.AWAITING_TECHNICAL
    awaiting_case.refresh_from_db()
    assert awaiting_case.rt == rt
    assert awaiting_case.deadlines.get(kind="apr_register").state == "met"
    assert awaiting_case.deadlines.get(kind="apr_submit").state == "open"


def test_lookup_refuses_a_wrong_document_or_a_case_without_ns(
    apr_client, awaiting_case, customer, installation
):
    assert "Nenhum processo" in lookup(apr_client, awaiting_case, document="390.533.447-05").content.decode()
    submitted = make_case(customer, installation)  # still in the commercial analysis: no NS yet
    assert "Nenhum processo" in lookup(apr_client, submitted).content.decode()


def test_order_form_rules(apr_client, awaiting_case, rt_registration):
    response = register(
        apr_client,
        awaiting_case,
        demand_kva="0",
        expected_connection="2020-01-01",
        request_type="load_analysis",
    )
    html = response.content.decode()
    assert response.status_code == 400 and "maior que zero" in html and "não pode estar no passado" in html
    assert "Analisar geração distribuída" in html and not AprOrder.objects.exists()


def test_technician_cannot_register_above_800_kva(awaiting_case, rt, rt_registration):
    rt_registration.title = "electrotechnician"
    rt_registration.save()
    with pytest.raises(ServiceError, match="800 kVA"):
        build_order(awaiting_case, rt, demand_kva="800.01")
    assert build_order(awaiting_case, rt, demand_kva="800").pk


def late_evening():
    """23:30 today in São Paulo, already tomorrow in UTC: the rules' "today" must be the local date."""
    return timezone.localtime().replace(hour=23, minute=30, second=0, microsecond=0)


def local_today(days=0):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"demand_kva": "0"}, "A demanda deve ser maior que zero."),
        ({"demand_kva": "-3"}, "A demanda deve ser maior que zero."),
        ({"expected_connection": -1}, "A previsão de ligação não pode estar no passado."),
        ({"request_type": "load_analysis"}, "Processos de geração distribuída usam"),
    ],
)
def test_the_service_alone_refuses_an_order_that_breaks_a_rule(
    awaiting_case, rt, rt_registration, fields, message
):
    """A script (or anything else that skips the form) calls order_register directly: the service itself
    refuses the order, in words the RT can read, and writes nothing."""
    with time_machine.travel(late_evening(), tick=False):
        if "expected_connection" in fields:
            fields = {"expected_connection": local_today(fields["expected_connection"])}
        with pytest.raises(ServiceError, match=message):
            build_order(awaiting_case, rt, **fields)
    assert not AprOrder.objects.exists()
    assert not awaiting_case.events.filter(action="apr_order_registered").exists()
    awaiting_case.refresh_from_db()
    assert awaiting_case.rt is None and awaiting_case.deadlines.get(kind="apr_register").state == "open"


def test_the_service_takes_a_connection_expected_today(awaiting_case, rt, rt_registration):
    with time_machine.travel(late_evening(), tick=False):
        order = build_order(awaiting_case, rt, expected_connection=local_today())
    assert order.pk and order.case.rt == rt


def test_the_form_shows_the_technician_cap_on_the_demand_field(apr_client, awaiting_case, rt_registration):
    """The 800 kVA cap used to come back only as the service's general error; now it sits on the field."""
    rt_registration.title = "electrotechnician"
    rt_registration.save()
    response = register(apr_client, awaiting_case, demand_kva="800,01")
    form = response.context["form"]
    assert response.status_code == 400 and not AprOrder.objects.exists()
    assert form.errors["demand_kva"] == [
        "O técnico em eletrotécnica assina projetos de até 800 kVA (Decreto 90.922/85)."
    ]
    assert not form.non_field_errors()


def test_another_rt_cannot_take_a_case_already_registered(order, other_rt):
    with pytest.raises(ServiceError):
        build_order(order.case, other_rt)


def test_upload_keeps_every_version_as_history(apr_client, order, rt):
    url = reverse("aprweb:order_upload", args=[order.pk, "art"])
    for name in ("art-v1.pdf", "art-v2.pdf"):
        apr_client.post(url, {"file": SimpleUploadedFile(name, pdf_bytes(2 if "2" in name else 1))})
    versions = list(DocumentVersion.objects.filter(kind="art").order_by("uploaded_at", "id"))
    assert [v.original_name for v in versions] == ["art-v1.pdf", "art-v2.pdf"]
    assert versions[0].sha256 != versions[1].sha256 and all(v.uploaded_by == rt for v in versions)
    html = apr_client.get(reverse("aprweb:order", args=[order.pk])).content.decode()
    assert "art-v2.pdf" in html and "Histórico (1)" in html and "art-v1.pdf" in html


def test_htmx_upload_returns_the_updated_checklist(apr_client, order):
    response = apr_client.post(
        reverse("aprweb:order_upload", args=[order.pk, "art"]),
        {"file": SimpleUploadedFile("art.pdf", pdf_bytes())},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    # Only the fragment htmx swaps in: the checklist itself, not the page around it.
    assert response.status_code == 200 and html.lstrip().startswith('<div id="checklist"')
    assert "<html" not in html and "art.pdf" in html


def test_bad_upload_is_refused_next_to_its_row(apr_client, order):
    response = apr_client.post(
        reverse("aprweb:order_upload", args=[order.pk, "art"]),
        {"file": SimpleUploadedFile("art.pdf", EXE)},
        HTTP_HX_REQUEST="true",
    )
    assert "tipo de arquivo não é aceito" in response.content.decode()
    assert not DocumentVersion.objects.filter(kind="art").exists()


def test_pdf_bomb_is_refused_next_to_its_row_not_a_server_error(apr_client, order):
    response = apr_client.post(
        reverse("aprweb:order_upload", args=[order.pk, "art"]),
        {"file": SimpleUploadedFile("art.pdf", pdf_bomb())},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "complexo demais" in response.content.decode()
    assert not DocumentVersion.objects.filter(kind="art").exists()


def test_identity_kinds_are_not_accepted_in_apr(apr_client, order):
    response = apr_client.post(
        reverse("aprweb:order_upload", args=[order.pk, "storage_proof"]),
        {"file": SimpleUploadedFile("x.pdf", pdf_bytes())},
    )
    assert response.status_code == 302 and not DocumentVersion.objects.filter(kind="storage_proof").exists()


def test_submit_is_refused_while_a_required_kind_is_missing(apr_client, order, rt):
    attach(order, "art", rt)
    apr_client.post(reverse("aprweb:order_submit", args=[order.pk]))
    order.case.refresh_from_db()
    assert order.case.state == CaseState.AWAITING_TECHNICAL
    attach_all(order, rt)
    apr_client.post(reverse("aprweb:order_submit", args=[order.pk]))
    order.case.refresh_from_db()
    order.refresh_from_db()
    assert order.case.state == CaseState.TECHNICAL_REVIEW and order.submitted_at is not None
    assert order.situation == CaseState.TECHNICAL_REVIEW
    assert not order.case.deadlines.open().filter(kind__in=["apr_register", "apr_submit"]).exists()


def test_another_rt_gets_404_on_search_view_upload_and_download(client, submitted_order, other_rt):
    # The other RT signs in through APR Web like anyone (a failed sign-in would turn every 404 below into a
    # redirect to the login).
    signed_in = client.post("/apr/", {"username": other_rt.cpf, "password": "Apr-" + factories.PASSWORD})
    assert signed_in.status_code == 302
    doc = submitted_order.case.documents.filter(kind="art").first()
    order_link = f'href="{reverse("aprweb:order", args=[submitted_order.pk])}"'
    assert submitted_order.protocol not in client.get(reverse("aprweb:orders")).content.decode()
    # Searching for the exact protocol finds nothing (the protocol itself is echoed back in the search box).
    by_protocol = client.get(reverse("aprweb:orders"), {"protocol": submitted_order.protocol})
    assert by_protocol.status_code == 200
    assert order_link not in by_protocol.content.decode()
    assert "Nenhum pedido encontrado" in by_protocol.content.decode()
    assert client.get(reverse("aprweb:order", args=[submitted_order.pk])).status_code == 404
    upload = client.post(
        reverse("aprweb:order_upload", args=[submitted_order.pk, "art"]),
        {"file": SimpleUploadedFile("x.pdf", pdf_bytes())},
    )
    assert upload.status_code == 404
    assert client.get(reverse("atende:document", args=[doc.pk])).status_code == 404


def test_the_case_rt_downloads_every_version(apr_client, submitted_order, rt):
    for version in submitted_order.case.documents.all():
        assert apr_client.get(reverse("atende:document", args=[version.pk])).status_code == 200


def test_search_filters_and_paginates(apr_client, rt, rt_registration, customer, installation):
    orders = []
    for _ in range(27):
        case = make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL)
        orders.append(build_order(case, rt))
    first = apr_client.get(reverse("aprweb:orders")).content.decode()
    listed = re.compile(r'href="/apr/pedidos/\d+/"')
    assert len(listed.findall(first)) == 25 and "Próxima" in first and "Anterior" not in first
    next_query = re.search(r'href="\?([^"]*)">Próxima<', first).group(1).replace("&amp;", "&")
    second = apr_client.get(reverse("aprweb:orders") + "?" + next_query).content.decode()
    assert len(listed.findall(second)) == 2 and "Anterior" in second and "Próxima" not in second
    target = orders[5]
    for params in ({"ns": target.ns}, {"protocol": target.protocol}):
        html = apr_client.get(reverse("aprweb:orders"), params).content.decode()
        assert target.protocol in html and orders[6].protocol not in html
    by_name = apr_client.get(
        reverse("aprweb:orders"), {"customer_name": installation.customer.name[:5].lower()}
    )
    assert target.protocol in by_name.content.decode()
    nothing = apr_client.get(reverse("aprweb:orders"), {"situation": "approved"}).content.decode()
    assert "Nenhum pedido encontrado" in nothing
    bad_period = apr_client.get(
        reverse("aprweb:orders"), {"sent_from": "2026-12-01", "sent_to": "2026-11-01"}
    )
    assert "anterior ao início" in bad_period.content.decode()


def test_search_runs_a_fixed_number_of_queries(
    apr_client, rt, rt_registration, customer, installation, django_assert_max_num_queries
):
    build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
    apr_client.get(reverse("aprweb:orders"))
    with django_assert_max_num_queries(10) as baseline:
        apr_client.get(reverse("aprweb:orders"))
    for _ in range(10):
        build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        apr_client.get(reverse("aprweb:orders"), {"customer_name": "Mar"})


def test_required_set_depends_on_the_order_too(order):
    assert "collective_roof" not in required_kinds(order.case, order)
    order.uses_collective_roof = True
    assert "collective_roof" in required_kinds(order.case, order)


def test_the_same_file_sent_again_is_recognised_by_its_hash(apr_client, order):
    url = reverse("aprweb:order_upload", args=[order.pk, "art"])
    content = pdf_bytes()
    apr_client.post(url, {"file": SimpleUploadedFile("art.pdf", content)})
    response = apr_client.post(
        url, {"file": SimpleUploadedFile("art-copia.pdf", content)}, HTTP_HX_REQUEST="true"
    )
    assert "idêntico à versão enviada" in response.content.decode()
    assert DocumentVersion.objects.filter(kind="art").count() == 1
