"""Back after sending, or a double click on "Enviar solicitação": the draft's URL leads to the sent case."""

import pytest
from django.urls import reverse

from atende import services
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from tests import factories
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


def test_posting_the_confirmation_twice_gives_one_protocol_and_the_receipt(
    client, customer, installation, django_capture_on_commit_callbacks
):
    draft = make_case(customer, installation, state=CaseState.DRAFT)
    client.force_login(customer)
    url = reverse("atende:draft", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
        second = client.post(url)  # the second click of a double click, or Back and "Enviar" again
    case = Case.objects.get()
    receipt = reverse("atende:receipt", args=[case.protocol])
    assert first.status_code == 302 and first["Location"] == receipt
    assert second.status_code == 302 and second["Location"] == receipt
    assert case.events.filter(action="submitted").count() == 1
    assert case.deadlines.count() == 1
    page = client.get(receipt)
    assert f"Esta solicitação já foi enviada: protocolo {case.protocol}." in page.content.decode()


@pytest.mark.parametrize("name", ["atende:draft", "atende:draft_edit"])
def test_a_sent_drafts_url_leads_its_filer_to_the_receipt(client, customer, installation, name):
    case = make_case(customer, installation)  # filed: the draft became this case
    client.force_login(customer)
    response = client.get(reverse(name, args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("atende:receipt", args=[case.protocol])
    assert messages_of(response) == [f"Esta solicitação já foi enviada: protocolo {case.protocol}."]


def test_a_sent_drafts_edit_form_posted_again_changes_nothing(client, customer, installation):
    case = make_case(customer, installation)
    client.force_login(customer)
    response = client.post(reverse("atende:draft_edit", args=[case.pk]), {"street": "Rua Outra"})
    assert response["Location"] == reverse("atende:receipt", args=[case.protocol])
    case.refresh_from_db()
    assert case.street == "Rua da Bahia"


@pytest.mark.parametrize("name", ["atende:draft", "atende:draft_edit"])
def test_a_sent_drafts_url_is_still_a_404_for_anyone_else(client, customer, installation, rt, outsider, name):
    """The holder sees the case, but did not file it: the RT's draft URL tells them nothing."""
    case = make_case(customer, installation, rt=rt)
    for user in (customer, outsider, factories.RTFactory()):
        client.force_login(user)
        assert client.get(reverse(name, args=[case.pk])).status_code == 404
        assert client.post(reverse(name, args=[case.pk])).status_code == 404
    client.force_login(rt)
    assert client.get(reverse(name, args=[case.pk])).status_code == 302


def test_a_stale_draft_sent_again_is_refused_with_the_case(customer, installation):
    """Two clicks that both got past the page: the second waits on the row lock, then finds it sent."""
    draft = make_case(customer, installation, state=CaseState.DRAFT)
    stale = Case.objects.get(pk=draft.pk)
    services.case_submit(case=draft, by=customer)
    with pytest.raises(services.AlreadySent) as refused:
        services.case_submit(case=stale, by=customer)
    assert refused.value.case.protocol == Case.objects.get().protocol
    assert Case.objects.get().events.filter(action="submitted").count() == 1


def test_saving_a_stale_copy_of_a_sent_draft_is_refused(customer, installation):
    draft = make_case(customer, installation, state=CaseState.DRAFT)
    stale = Case.objects.get(pk=draft.pk)
    services.case_submit(case=draft, by=customer)
    stale.street = "Rua Outra"
    with pytest.raises(services.AlreadySent):
        services.case_save_draft(case=stale, by=customer)
    assert Case.objects.get().street == "Rua da Bahia"
