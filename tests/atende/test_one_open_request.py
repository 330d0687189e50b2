"""One access request under way per installation (issue 10): a second is refused, pointing to the first."""

import pytest
from django.urls import reverse

from atende import services
from gdportal.cases.choices import OPEN_STATES, CaseState
from gdportal.cases.models import Case
from gdportal.cases.services import RuleBroken
from tests.atende.conftest import make_case, request_data

pytestmark = pytest.mark.django_db


def status_link(case):
    return f'href="{reverse("atende:status_detail", args=[case.protocol])}"'


def test_the_service_alone_refuses_a_second_open_request(customer, installation):
    """A draft typed before the first request went out (another tab, the RT) cannot be sent beside it."""
    first_draft = make_case(customer, installation, state=CaseState.DRAFT)
    second_draft = make_case(customer, installation, state=CaseState.DRAFT)
    services.case_submit(case=first_draft, by=customer)
    with pytest.raises(RuleBroken) as refused:
        services.case_submit(case=second_draft, by=customer)
    assert set(refused.value.errors) == {"installation"}
    assert installation.number in str(refused.value) and "em andamento" in str(refused.value)
    second_draft.refresh_from_db()
    assert second_draft.state == CaseState.DRAFT and second_draft.protocol is None
    second_draft.street = "Rua Outra"
    with pytest.raises(RuleBroken):
        services.case_save_draft(case=second_draft, by=customer)


def test_open_means_filed_and_not_final():
    assert CaseState.DRAFT not in OPEN_STATES
    for final in (CaseState.CANCELLED, CaseState.COMMERCIAL_REJECTED, CaseState.CONNECTED, CaseState.EXPIRED):
        assert final not in OPEN_STATES
    for running in (CaseState.SUBMITTED, CaseState.AWAITING_TECHNICAL, CaseState.PENDING_CORRECTION):
        assert running in OPEN_STATES


@pytest.mark.parametrize("state", [CaseState.CANCELLED, CaseState.COMMERCIAL_REJECTED, CaseState.EXPIRED])
def test_a_request_that_ended_does_not_block_a_new_one(customer, installation, state):
    ended = make_case(customer, installation)
    Case.objects.filter(pk=ended.pk).update(state=state)
    draft = make_case(customer, installation, state=CaseState.DRAFT)
    assert services.case_submit(case=draft, by=customer).state == CaseState.SUBMITTED


def test_a_consultation_is_possible_while_a_request_is_under_way(client, customer, installation):
    make_case(customer, installation)
    client.force_login(customer)
    url = reverse("atende:consultation_new", args=[installation.number])
    assert client.get(url).status_code == 200
    response = client.post(url, request_data(document=installation.customer.document_display))
    assert response.status_code == 302
    assert Case.objects.filter(kind="consultation").exists()


def test_the_form_points_the_holder_to_the_request_under_way(client, customer, installation, identity_pdf):
    under_way = make_case(customer, installation)
    client.force_login(customer)
    url = reverse("atende:new", args=[installation.number])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 409 and status_link(under_way) in html
    assert "já tem uma solicitação de acesso em andamento" in html
    posted = client.post(url, {**request_data(), "file_identity": identity_pdf})
    assert posted.status_code == 409 and Case.objects.count() == 1


def test_a_draft_typed_before_the_other_was_sent_shows_the_link(client, customer, installation):
    draft = make_case(customer, installation, state=CaseState.DRAFT)
    under_way = make_case(customer, installation)
    client.force_login(customer)
    response = client.post(
        reverse("atende:draft_edit", args=[draft.pk]),
        request_data(document=installation.customer.document_display),
    )
    html = response.content.decode()
    assert response.status_code == 400 and status_link(under_way) in html
    assert "em andamento" in html


def test_the_lookup_lists_the_request_under_way_instead_of_choose(client, customer, installation):
    under_way = make_case(customer, installation)
    client.force_login(customer)
    html = client.get(reverse("atende:lookup")).content.decode()
    assert status_link(under_way) in html
    assert reverse("atende:new", args=[installation.number]) not in html
    # A consultation stays possible.
    consult = client.get(reverse("atende:consultation_lookup")).content.decode()
    assert reverse("atende:consultation_new", args=[installation.number]) in consult


def test_an_rt_who_does_not_hold_the_case_is_told_it_exists_not_its_protocol(
    client, customer, installation, rt
):
    under_way = make_case(customer, installation)
    client.force_login(rt)
    listing = client.get(reverse("atende:lookup"), {"q": installation.customer.document_display})
    assert "em andamento" in listing.content.decode()
    assert under_way.protocol not in listing.content.decode()
    page = client.get(reverse("atende:new", args=[installation.number]))
    assert page.status_code == 409 and under_way.protocol not in page.content.decode()
