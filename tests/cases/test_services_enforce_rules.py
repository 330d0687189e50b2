"""The services are the last word (issue 9): a case filed without any form meets SPEC §4.2, and a file stored
without any form is checked by its content."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from atende import services
from gdportal.cases.choices import CaseState
from gdportal.cases.documents import document_store
from gdportal.cases.models import Case, DocumentVersion
from gdportal.cases.services import RuleBroken
from tests.atende.conftest import make_case
from tests.files import EXE

pytestmark = pytest.mark.django_db


def draft(customer, installation, **fields):
    values = {
        "customer": installation.customer,
        "installation": installation,
        "filed_by": customer,
        "reason": "micro_le10",
        "holder_name": "x",
        "installation_class": "residential",
        "document": "",
        "cep": "30160011",
        "street": "Rua da Bahia",
        "street_number": "1",
        "district": "Centro",
        "municipality": "Belo Horizonte",
        "uf": "MG",
        "phone": "31988887777",
        "email": "maria@example.com",
        "latitude": "-19.92",
        "longitude": "-43.94",
        "power_kw": "8.5",
        "source": "solar",
        "request_type": "without_increase",
        "modality": "local",
        "requester_name": "Maria",
        "requester_phone": "31988887777",
        "requester_email": "maria@example.com",
        "declaration": True,
    }
    values.update(fields)
    return Case(**values)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"power_kw": "12"}, "power_kw"),  # micro ≤ 10 kW with 12 kW
        ({"reason": "mini", "power_kw": "3500"}, "power_kw"),  # solar minigeneration above 3 MW
        ({"uf": "SP"}, "uf"),
        ({"latitude": "-23.5"}, "latitude"),
        ({"request_type": "new_unit"}, "request_type"),  # an existing installation is no new unit
        ({"reason": "mini", "power_kw": "600"}, "gfc_form"),  # minigeneration > 500 kW without its GFC
    ],
)
def test_a_case_saved_without_a_form_that_breaks_a_rule_is_refused(customer, installation, fields, field):
    with pytest.raises(RuleBroken) as refused:
        services.case_save_draft(case=draft(customer, installation, **fields), by=customer)
    assert field in refused.value.errors
    assert not Case.objects.exists()


def test_the_holder_data_are_the_registry_s_whatever_the_caller_put(customer, installation):
    case = services.case_save_draft(
        case=draft(customer, installation, document="39053344705", holder_name="Outra"), by=customer
    )
    assert (case.document, case.holder_name) == (installation.customer.document, installation.customer.name)


def test_a_case_changed_after_the_draft_is_refused_at_submit(customer, installation):
    case = make_case(customer, installation, state=CaseState.DRAFT)
    Case.objects.filter(pk=case.pk).update(power_kw="99")
    case.refresh_from_db()
    with pytest.raises(RuleBroken):
        services.case_submit(case=case, by=customer)
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT and case.protocol is None


def test_a_disguised_file_stored_without_a_form_is_refused(customer, installation):
    case = make_case(customer, installation, state=CaseState.DRAFT)
    before = DocumentVersion.objects.count()
    with pytest.raises(ValidationError):
        document_store(case=case, kind="identity", uploaded=ContentFile(EXE, name="rg.pdf"), by=customer)
    assert DocumentVersion.objects.count() == before
