"""An RT sees only masked personal data of customers they do not serve (outside test, issue 8 item 1).

The attack: an approved RT signed in to Atende walked sequential client numbers through the request forms
(`/atende/gd/consulta/cliente/<n>/` and friends), which prefilled the full CPF/CNPJ, e-mail, phone, address
and debts — 62 complete records in 4.6 s.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from gdportal.cases.choices import CaseState
from gdportal.registry.models import Debt, LookupAudit
from tests import factories
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db

FORM_URLS = ["atende:new", "atende:consultation_new"]
CUSTOMER_URLS = ["atende:new_unit", "atende:consultation_customer"]


@pytest.fixture
def victim(db):
    customer = factories.CustomerFactory(
        name="Joana Pereira Lima",
        email="joana.lima@example.com",
        phone="31977776655",
    )
    installation = factories.InstallationFactory(
        customer=customer, street="Rua Sapucaí", street_number="321", cep="30150050"
    )
    Debt.objects.create(
        customer=customer, reference="2026-03", amount="431.27", due_date=date.today() - timedelta(days=40)
    )
    return installation


def personal_values(installation):
    customer = installation.customer
    return [
        customer.document,
        customer.document_display,
        customer.email,
        "97777-6655",
        "31977776655",
        "Joana Pereira Lima",
        "Rua Sapucaí",
        "30150-050",
        "431,27",
        "2026-03",
    ]


def leaked(html, installation):
    return [value for value in personal_values(installation) if value in html]


def pages(victim):
    customer = victim.customer
    return [reverse(name, args=[victim.number]) for name in FORM_URLS] + [
        reverse(name, args=[customer.number]) for name in CUSTOMER_URLS
    ]


def test_every_form_behind_the_lookup_masks_an_unserved_customer(client, rt, victim):
    client.force_login(rt)
    for url in pages(victim):
        response = client.get(url)
        assert response.status_code in (200, 409), url
        assert leaked(response.content.decode(), victim) == [], url


def test_debts_are_named_but_not_itemised_for_an_unserved_rt(client, rt, victim):
    client.force_login(rt)
    response = client.get(reverse("atende:new", args=[victim.number]))
    html = response.content.decode()
    assert response.status_code == 409 and "débitos vencidos" in html
    assert "431,27" not in html and 'data-testid="debts-hidden"' in html


def test_the_lookup_list_masks_and_is_audited(client, rt, victim):
    client.force_login(rt)
    response = client.get(reverse("atende:lookup"), {"q": victim.customer.number})
    html = response.content.decode()
    assert victim.number in html and leaked(html, victim) == []
    audit = LookupAudit.objects.get(kind="search")
    assert (audit.user, audit.customer, audit.succeeded) == (rt, victim.customer, True)


def test_opening_a_form_is_audited(client, rt, victim):
    client.force_login(rt)
    client.get(reverse("atende:consultation_customer", args=[victim.customer.number]))
    audit = LookupAudit.objects.get(kind="form")
    assert (audit.user, audit.customer, audit.query) == (rt, victim.customer, victim.customer.number)


def test_a_harvest_is_throttled(client, rt, settings):
    settings.GD_RT_LOOKUPS_PER_HOUR = 5
    client.force_login(rt)
    customers = [factories.CustomerFactory() for _ in range(7)]
    codes = [
        client.get(reverse("atende:consultation_customer", args=[c.number])).status_code for c in customers
    ]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    assert LookupAudit.objects.filter(user=rt).count() == 5


def test_the_throttle_also_counts_per_address(client, settings):
    settings.GD_RT_LOOKUPS_PER_HOUR = 2  # six per address
    customer = factories.CustomerFactory()
    codes = []
    for _ in range(4):
        client.force_login(factories.RTFactory())
        codes += [
            client.get(reverse("atende:consultation_customer", args=[customer.number])).status_code
            for _ in range(2)
        ]
    assert codes[:6] == [200] * 6 and codes[6:] == [429, 429]


def test_a_served_customer_is_shown_in_full(client, rt, victim, customer):
    Debt.objects.all().delete()
    # The RT's case is for another of the customer's installations: this one has no request under way.
    other = factories.InstallationFactory(customer=victim.customer)
    make_case(customer, other, rt=rt, state=CaseState.AWAITING_TECHNICAL)
    client.force_login(rt)
    html = client.get(reverse("atende:new", args=[victim.number])).content.decode()
    assert victim.customer.document_display in html and "joana.lima@example.com" in html
    assert not LookupAudit.objects.exists()


def test_a_draft_does_not_make_the_rt_a_server(client, rt, victim, customer):
    """Anyone can type a form: only a case past the commercial check (or claimed) counts."""
    Debt.objects.all().delete()
    make_case(
        customer, factories.InstallationFactory(customer=victim.customer), rt=rt, state=CaseState.SUBMITTED
    )
    client.force_login(rt)
    response = client.get(reverse("atende:new", args=[victim.number]))
    assert response.status_code == 200 and leaked(response.content.decode(), victim) == []


def test_an_unserved_rt_files_without_the_full_values(client, rt, victim, identity_pdf):
    """The form works for an RT who never saw the CPF: the service fills it from the registry."""
    from gdportal.cases.models import Case
    from tests.atende.conftest import request_data

    Debt.objects.all().delete()
    client.force_login(rt)
    response = client.post(
        reverse("atende:new", args=[victim.number]),
        {**request_data(), "file_identity": identity_pdf},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.document == victim.customer.document and case.rt == rt
    html = client.get(response["Location"]).content.decode()
    assert victim.customer.document_display not in html and "Joana Pereira Lima" not in html


def test_the_customer_sees_their_own_data(client, customer, installation):
    client.force_login(customer)
    html = client.get(reverse("atende:new", args=[installation.number])).content.decode()
    assert installation.customer.document_display in html and installation.street in html
