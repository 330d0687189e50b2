"""The inspector (vistoriador) sees the cases in inspection and their technical files only (SPEC §1; security
test, item 3: the group used to read every case and every identity document in the admin)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from gdportal.accounts import roles
from gdportal.cases.choices import INSPECTION_STATES, CaseState
from gdportal.cases.documents import document_store
from gdportal.cases.models import Case
from tests import factories
from tests.atende.conftest import make_case
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(db):
    return factories.StaffFactory(username="vistoriador", role=roles.INSPECTOR)


def technical_file(case, kind="art"):
    content = pdf_bytes(3)
    return document_store(
        case=case,
        kind=kind,
        uploaded=ContentFile(content, name=f"{kind}.pdf"),
        by=case.filed_by,
    )


def in_inspection(case):
    # No transition reaches the inspection states yet (SPEC §6.3 comes later): put the row there directly.
    Case.objects.filter(pk=case.pk).update(state=CaseState.INSPECTION_REQUESTED)
    return Case.objects.get(pk=case.pk)


def test_inspector_case_list_holds_only_cases_in_inspection(client, inspector, customer, installation):
    submitted = make_case(customer, installation)
    awaiting = make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL)
    client.force_login(inspector)
    url = reverse("admin:cases_case_changelist")
    html = client.get(url).content.decode()
    assert submitted.protocol not in html and awaiting.protocol not in html
    inspected = in_inspection(make_case(customer, installation))
    html = client.get(url).content.decode()
    assert inspected.protocol in html and submitted.protocol not in html
    searched = client.get(url, {"q": submitted.protocol}).content.decode()
    assert reverse("admin:cases_case_change", args=[submitted.pk]) not in searched


def test_inspector_gets_404_on_the_page_of_a_case_outside_inspection(client, inspector, case):
    client.force_login(inspector)
    assert client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 404
    assert client.get(reverse("admin:aprweb_technicalqueue_change", args=[case.pk])).status_code == 403
    assert client.get(reverse("atende:status_detail", args=[case.protocol])).status_code == 404


def test_inspector_never_downloads_identity_papers(client, inspector, case, customer, installation):
    client.force_login(inspector)
    identity = case.documents.get(kind="identity")
    assert client.get(reverse("atende:document", args=[identity.pk])).status_code == 404
    inspected = in_inspection(make_case(customer, installation))
    identity = inspected.documents.get(kind="identity")
    art = technical_file(inspected)
    assert client.get(reverse("atende:document", args=[identity.pk])).status_code == 404
    assert client.get(reverse("atende:document", args=[art.pk])).status_code == 200
    page = client.get(reverse("admin:cases_case_change", args=[inspected.pk])).content.decode()
    assert reverse("atende:document", args=[art.pk]) in page
    assert reverse("atende:document", args=[identity.pk]) not in page


def test_inspector_does_not_get_the_technical_files_of_a_case_under_analysis(
    client, inspector, customer, installation
):
    awaiting = make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL)
    art = technical_file(awaiting)
    client.force_login(inspector)
    assert client.get(reverse("atende:document", args=[art.pk])).status_code == 404


def test_analysts_still_see_every_case_and_file(client, commercial_analyst, technical_analyst, case):
    identity = case.documents.get(kind="identity")
    for analyst in (commercial_analyst, technical_analyst):
        client.force_login(analyst)
        assert client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 200
        assert client.get(reverse("atende:document", args=[identity.pk])).status_code == 200


def test_only_the_analysts_groups_hold_the_every_case_permission(
    inspector, commercial_analyst, technical_analyst
):
    assert not inspector.has_perm("cases.view_all_cases") and inspector.has_perm("cases.view_case")
    assert commercial_analyst.has_perm("cases.view_all_cases")
    assert technical_analyst.has_perm("cases.view_all_cases")
    assert set(INSPECTION_STATES) <= set(CaseState.values)
