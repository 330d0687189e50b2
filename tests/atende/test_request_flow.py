"""Filing an access request in Atende, as the customer and as an RT (SPEC §4.2)."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case, DocumentVersion
from gdportal.notifications.models import OutboundEmail
from gdportal.registry.models import Debt
from tests import factories
from tests.atende.conftest import request_data
from tests.files import EXE, aes256_pdf_bytes, pdf_bomb, pdf_bytes, zip_bytes

pytestmark = pytest.mark.django_db


def file_request(client, installation, identity, **overrides):
    url = reverse("atende:new", args=[installation.number])
    data = request_data(document=installation.customer.document_display, **overrides)
    return client.post(url, {**data, "file_identity": identity})


def test_customer_files_a_micro_request_and_gets_a_protocol(
    client, customer, installation, identity_pdf, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    assert client.get(reverse("atende:lookup")).status_code == 200
    response = file_request(client, installation, identity_pdf)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft = Case.objects.get()
    assert draft.state == CaseState.DRAFT and draft.protocol is None
    assert draft.power_kw == Decimal("8.50") and draft.latitude == Decimal("-19.92")
    confirm = client.get(response["Location"])
    assert "Confira seus dados" in confirm.content.decode()
    doc = DocumentVersion.objects.get()
    assert doc.sha256 in confirm.content.decode() and doc.original_name == "rg-cpf.pdf"
    assert doc.file.name.startswith(f"cases/{draft.pk}/") and "rg-cpf" not in doc.file.name

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(response["Location"])
    case = Case.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse("atende:receipt", args=[case.protocol])
    assert case.state == CaseState.SUBMITTED
    assert len(case.protocol) == 13 and case.protocol.startswith(str(case.submitted_at.year))
    receipt = client.get(sent["Location"]).content.decode()
    assert case.protocol in receipt and doc.sha256 in receipt
    assert "Análise comercial da solicitação" in receipt  # the clock: what is awaited, from whom, until when
    email = OutboundEmail.objects.get()
    assert (
        email.to == sorted({"maria@example.com", installation.customer.email})
        and case.protocol in email.subject
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].alternatives
    assert case.events.get().to_state == CaseState.SUBMITTED


def test_debtor_is_refused_with_the_amounts_and_nothing_is_saved(
    client, customer, installation, identity_pdf
):
    Debt.objects.create(
        customer=installation.customer,
        reference="FAT-2026-08",
        amount=Decimal("312.45"),
        due_date="2026-09-10",
    )
    client.force_login(customer)
    page = client.get(reverse("atende:new", args=[installation.number]))
    # Refused with 409 and the amount in the Brazilian format (both, whatever else the page says).
    assert page.status_code == 409 and "312,45" in page.content.decode()
    response = file_request(client, installation, identity_pdf)
    assert response.status_code == 409
    assert "FAT-2026-08" in response.content.decode()
    assert not Case.objects.exists() and not DocumentVersion.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_debt_that_appears_after_the_draft_blocks_the_send(client, customer, installation, identity_pdf):
    client.force_login(customer)
    draft_url = file_request(client, installation, identity_pdf)["Location"]
    Debt.objects.create(
        customer=installation.customer, reference="FAT-X", amount=Decimal("10"), due_date="2026-01-10"
    )
    response = client.post(draft_url)
    assert response.status_code == 409
    assert Case.objects.get().state == CaseState.DRAFT  # the draft is kept, nothing was sent
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize(
    ("reason", "power", "source", "message"),
    [
        ("micro_le10", "10,01", "solar", "no máximo 10 kW"),
        ("micro_le10", "0", "solar", "maior que zero"),
        ("micro_gt10", "10", "solar", "acima de 10 kW e no máximo 75 kW"),
        ("micro_gt10", "75,5", "solar", "acima de 10 kW e no máximo 75 kW"),
        ("mini", "75", "hydro", "acima de 75 kW e no máximo 5.000 kW"),
        ("mini", "5000,01", "hydro", "acima de 75 kW e no máximo 5.000 kW"),
        ("mini", "3000,5", "solar", "3.000 kW"),
    ],
)
def test_power_must_fit_the_reason(
    client, customer, installation, identity_pdf, reason, power, source, message
):
    client.force_login(customer)
    response = file_request(
        client, installation, identity_pdf, reason=reason, power_kw=power, source=source, gfc_form="cash"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'href="#id_power_kw"' in html  # summary links to the field
    assert 'value="Rua da Bahia"' in html  # what was typed is kept
    assert not Case.objects.exists()


@pytest.mark.parametrize(("power", "dot"), [("8.5", True), ("8,5", False)])
def test_decimal_comma_and_dot_are_both_accepted(client, customer, installation, identity_pdf, power, dot):
    client.force_login(customer)
    assert file_request(client, installation, identity_pdf, power_kw=power).status_code == 302
    assert Case.objects.get().power_kw == Decimal("8.5")


def test_the_holder_document_is_the_registry_one_whatever_is_posted(
    client, customer, installation, identity_pdf
):
    """The CPF/CNPJ is shown from the registry and never typed: a posted one cannot change the holder."""
    client.force_login(customer)
    response = client.post(
        reverse("atende:new", args=[installation.number]),
        {**request_data(document="390.533.447-05"), "file_identity": identity_pdf},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.document == installation.customer.document != "39053344705"
    assert case.holder_name == installation.customer.name


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "-23,5", "dentro de Minas Gerais"),
        ("longitude", "-38", "dentro de Minas Gerais"),
        ("uf", "SP", "somente Minas Gerais"),
        ("cep", "3016", "O CEP tem 8 dígitos"),
        ("phone", "123", "com DDD"),
    ],
)
def test_address_rules(client, customer, installation, identity_pdf, field, value, message):
    client.force_login(customer)
    response = file_request(client, installation, identity_pdf, **{field: value})
    assert response.status_code == 400 and message in response.content.decode()


def test_declaration_must_be_ticked(client, customer, installation, identity_pdf):
    client.force_login(customer)
    data = request_data(document=installation.customer.document_display)
    del data["declaration"]
    response = client.post(
        reverse("atende:new", args=[installation.number]), {**data, "file_identity": identity_pdf}
    )
    assert response.status_code == 400 and not Case.objects.exists()


def test_a_four_megabyte_file_is_refused_and_the_form_kept(client, customer, installation):
    client.force_login(customer)
    big = SimpleUploadedFile("rg.pdf", pdf_bytes() + b"%" * (4 * 1024 * 1024), content_type="application/pdf")
    response = file_request(client, installation, big)
    html = response.content.decode()
    assert response.status_code == 400 and "maior que 3 MB" in html
    assert 'value="Rua da Bahia"' in html and not Case.objects.exists()


def test_an_exe_named_pdf_is_refused(client, customer, installation):
    client.force_login(customer)
    disguised = SimpleUploadedFile("rg.pdf", EXE, content_type="application/pdf")
    response = file_request(client, installation, disguised)
    assert response.status_code == 400
    assert "tipo de arquivo não é aceito" in response.content.decode()
    assert not DocumentVersion.objects.exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (pdf_bomb, "complexo demais"),
        (lambda: pdf_bomb(100_000_000), "complexo demais"),
        (aes256_pdf_bytes, "protegido por senha"),
        (lambda: pdf_bytes() + zip_bytes({"run.js": b"alert(1)"}), "dados extras"),
    ],
    ids=["object-stream-bomb", "past-pypdf-limit", "aes-256", "pdf+zip"],
)
def test_hostile_pdf_is_a_field_error_not_a_server_error(client, customer, installation, make, message):
    """The outside test's files answered 500 (or held the worker for seconds): now the form says why."""
    client.force_login(customer)
    hostile = SimpleUploadedFile("rg.pdf", make(), content_type="application/pdf")
    response = file_request(client, installation, hostile)
    assert response.status_code == 400 and message in response.content.decode()
    assert 'value="Rua da Bahia"' in response.content.decode() and not DocumentVersion.objects.exists()


def test_request_without_the_identity_document_is_refused(client, customer, installation):
    client.force_login(customer)
    response = client.post(
        reverse("atende:new", args=[installation.number]),
        request_data(document=installation.customer.document_display),
    )
    assert response.status_code == 400 and "Anexe este documento" in response.content.decode()


def test_company_needs_its_three_documents(client, db):
    company = factories.CustomerFactory(document="11222333000181", person_type="PJ")
    user = factories.UserFactory(customer=company)
    inst = factories.InstallationFactory(customer=company)
    client.force_login(user)
    response = client.post(
        reverse("atende:new", args=[inst.number]), request_data(document="11.222.333/0001-81")
    )
    html = response.content.decode()
    assert "Cartão CNPJ" in html and "Contrato social" in html and "representantes legais" in html


def test_mini_above_500_kw_needs_the_guarantee_with_its_amount(
    client, customer, installation, identity_pdf, settings
):
    settings.GD_GFC_REFERENCE_PRICE = "4000.00"
    client.force_login(customer)
    response = file_request(client, installation, identity_pdf, reason="mini", power_kw="800", source="hydro")
    html = response.content.decode()
    assert response.status_code == 400 and "80.000,00" in html  # 2.5 % × 800 kW × R$ 4.000
    proof = SimpleUploadedFile("fianca.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(
        reverse("atende:new", args=[installation.number]),
        {
            **request_data(
                document=installation.customer.document_display,
                reason="mini",
                power_kw="1200",
                source="hydro",
                gfc_form="bank",
                gfc_bank="itau",
            ),
            "file_identity": SimpleUploadedFile("rg.pdf", pdf_bytes()),
            "file_gfc_proof": proof,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.gfc_amount == Decimal("240000.00") and case.gfc_bank == "itau"  # 5 % from 1,000 kW


def test_shared_generation_is_exempt_from_the_guarantee(client, customer, installation, identity_pdf):
    client.force_login(customer)
    response = file_request(
        client, installation, identity_pdf, reason="mini", power_kw="800", source="hydro", modality="shared"
    )
    assert response.status_code == 302 and Case.objects.get().gfc_amount is None


def test_closed_installation_cannot_be_chosen(client, customer, customer_record):
    closed = factories.InstallationFactory(customer=customer_record, status="closed")
    client.force_login(customer)
    listing = client.get(reverse("atende:lookup")).content.decode()
    assert "Encerrada: indisponível para GD" in listing
    response = client.get(reverse("atende:new", args=[closed.number]))
    assert response.status_code == 302 and not Case.objects.exists()


def test_new_connection_goes_without_installation(client, customer, customer_record, identity_pdf):
    client.force_login(customer)
    url = reverse("atende:new_unit", args=[customer_record.number])
    data = request_data(document=customer_record.document_display, request_type="new_unit")
    assert client.post(url, {**data, "file_identity": identity_pdf}).status_code == 302
    case = Case.objects.get()
    assert case.installation is None and case.request_type == "new_unit"


def test_existing_installation_cannot_claim_a_new_unit(client, customer, installation, identity_pdf):
    client.force_login(customer)
    response = file_request(client, installation, identity_pdf, request_type="new_unit")
    assert response.status_code == 400


def test_customer_cannot_file_for_someone_elses_installation(client, customer, db):
    stranger = factories.InstallationFactory()
    client.force_login(customer)
    assert client.get(reverse("atende:new", args=[stranger.number])).status_code == 404
    assert client.get(reverse("atende:new_unit", args=[stranger.customer.number])).status_code == 404


def test_rt_files_for_a_customer_with_personal_data_masked(client, rt, installation, identity_pdf, customer):
    client.force_login(rt)
    listing = client.get(
        reverse("atende:lookup"), {"q": installation.customer.document_display}
    ).content.decode()
    assert installation.number in listing and installation.customer.name not in listing
    assert "Rua da Bahia" not in listing  # address masked down to the municipality
    assert file_request(client, installation, identity_pdf).status_code == 302
    case = Case.objects.get()
    assert case.rt == rt and case.filed_by == rt
    client.post(reverse("atende:draft", args=[case.pk]))
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert Case.objects.for_user(customer).get() == case  # the holder follows it too


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("529.982.247-24", "CPF inválido"),
        ("12.ABC.345/01DE-00", "CNPJ inválido"),
        ("123", "Informe um CPF"),
    ],
)
def test_lookup_explains_bad_identifiers(client, rt, query, message):
    client.force_login(rt)
    assert message in client.get(reverse("atende:lookup"), {"q": query}).content.decode()


def test_lookup_accepts_an_alphanumeric_cnpj(client, rt, db):
    from gdportal.brdocs import cnpj_with_check_digits, format_document

    cnpj = cnpj_with_check_digits("12ABC34501DE")
    inst = factories.InstallationFactory(customer=factories.CustomerFactory(document=cnpj, person_type="PJ"))
    client.force_login(rt)
    html = client.get(reverse("atende:lookup"), {"q": format_document(cnpj).lower()}).content.decode()
    assert inst.number in html


def test_staff_and_anonymous_cannot_file(client, commercial_analyst, installation):
    url = reverse("atende:new", args=[installation.number])
    assert client.get(url).status_code == 302  # to the login
    client.force_login(commercial_analyst)
    assert client.get(url).status_code == 403


def test_consultation_needs_no_installation_and_no_attachments(client, customer, customer_record):
    client.force_login(customer)
    url = reverse("atende:consultation_customer", args=[customer_record.number])
    data = request_data(document=customer_record.document_display, request_type="new_unit")
    assert client.post(url, data).status_code == 302
    case = Case.objects.get()
    client.post(reverse("atende:draft", args=[case.pk]))
    case.refresh_from_db()
    assert case.kind == "consultation" and case.state == CaseState.SUBMITTED and len(case.protocol) == 13
    assert case.deadlines.get().kind == "consultation_answer"
