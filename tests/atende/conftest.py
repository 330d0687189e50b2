import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from atende import services
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from tests import factories
from tests.files import pdf_bytes


def request_data(installation=None, **overrides):
    data = {
        "reason": "micro_le10",
        "document": "",
        "installation_class": "residential",
        "cep": "30160-011",
        "street": "Rua da Bahia",
        "street_number": "1000",
        "complement": "",
        "district": "Centro",
        "municipality": "Belo Horizonte",
        "uf": "MG",
        "phone": "(31) 98888-7777",
        "mobile": "",
        "email": "maria@example.com",
        "latitude": "-19,92",
        "longitude": "-43,94",
        "power_kw": "8,5",
        "source": "solar",
        "request_type": "without_increase",
        "modality": "local",
        "requester_name": "Maria Souza",
        "requester_phone": "31988887777",
        "requester_email": "maria@example.com",
        "other_info": "",
        "gfc_form": "",
        "gfc_bank": "",
        "declaration": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def identity_pdf():
    return SimpleUploadedFile("rg-cpf.pdf", pdf_bytes(), content_type="application/pdf")


def make_case(customer_user, installation, *, state=CaseState.SUBMITTED, rt=None, **fields):
    """A case filed through the real services (then moved further if asked).

    An installation has one access request under way at a time (rules.open_access_request): a further filed
    case asked for an installation that already has one goes to a new installation of the same customer —
    the tests that file several cases mean several requests, not the same plant twice.
    """
    from django.core.files.base import ContentFile

    from gdportal.cases.documents import document_store
    from gdportal.cases.rules import open_access_request

    if (
        state != CaseState.DRAFT
        and fields.get("kind", "access") == "access"
        and open_access_request(installation.pk)
    ):
        installation = factories.InstallationFactory(customer=installation.customer)

    values = dict(
        customer=installation.customer,
        installation=installation,
        filed_by=rt or customer_user,
        rt=rt,
        reason="micro_le10",
        holder_name=installation.customer.name,
        installation_class="residential",
        document=installation.customer.document,
        cep="30160011",
        street="Rua da Bahia",
        street_number="1",
        district="Centro",
        municipality="Belo Horizonte",
        uf="MG",
        phone="31988887777",
        email=installation.customer.email,
        # Where the registry places the unit (SPEC §15 refuses coordinates 100 m away), else the factories'.
        latitude=installation.latitude if installation.latitude is not None else "-19.92",
        longitude=installation.longitude if installation.longitude is not None else "-43.94",
        power_kw="8.5",
        source="solar",
        request_type="without_increase",
        modality="local",
        requester_name="Maria",
        requester_phone="31988887777",
        requester_email=installation.customer.email,
        declaration=True,
    )
    values.update(fields)  # a test may change any default (the reason, the power…)
    case = Case(**values)
    case.save()
    content = pdf_bytes()

    document_store(
        case=case,
        kind="identity",
        uploaded=ContentFile(content, name="rg.pdf"),
        by=case.filed_by,
    )
    if case.gfc_form:
        # A request with a guarantee carries its proof, as the form asks beside the choice.
        document_store(
            case=case, kind="gfc_proof", uploaded=ContentFile(content, name="gfc.pdf"), by=case.filed_by
        )
    if state == CaseState.DRAFT:
        return case
    case = services.case_submit(case=case, by=case.filed_by)
    if state == CaseState.AWAITING_TECHNICAL:
        analyst = factories.StaffFactory(role="Analista comercial")
        case = services.case_commercial_approve(case=case, by=analyst)
    return case


@pytest.fixture
def case(customer, installation):
    return make_case(customer, installation)
