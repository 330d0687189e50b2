"""The case's documents in the API carry what the automatic checks found (SPEC §14), as the pages show it."""

import pytest

from gdportal.cases.documents import document_store
from gdportal.cases.findings import version_check
from tests.atende.conftest import make_case
from tests.files import scanned_pdf, upload

pytestmark = pytest.mark.django_db


def test_a_document_lists_its_findings_once_checked(
    customer, installation, api_as, django_assert_max_num_queries
):
    case = make_case(customer, installation)
    identity = case.documents.get()
    copy = document_store(
        case=case, kind="cnpj_card", uploaded=upload("copia.pdf", scanned_pdf()), by=customer
    )
    api = api_as(customer)
    documents = {row["kind"]: row for row in api.get(f"/api/v1/cases/{case.pk}/").json()["documents"]}
    assert documents["cnpj_card"]["checked_at"] is None and documents["cnpj_card"]["findings"] == []

    same = document_store(
        case=case, kind="articles", uploaded=upload("contrato.pdf", identity.file.read()), by=customer
    )
    for version in (identity, copy, same):
        version_check(version=version)
    with django_assert_max_num_queries(12):
        documents = {row["kind"]: row for row in api.get(f"/api/v1/cases/{case.pk}/").json()["documents"]}
    assert documents["cnpj_card"]["checked_at"] and documents["cnpj_card"]["findings"] == []
    assert [finding["code"] for finding in documents["articles"]["findings"]] == ["duplicate_file"]
    assert documents["articles"]["findings"][0]["message"]
