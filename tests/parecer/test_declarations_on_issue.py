"""Declaration 8.3 (SPEC §16) — the contracts and the payment slip asked to go with the orçamento — is shown
to the analyst issuing the parecer, with who declared it and when."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from gdportal.generation.models import Declaration
from tests.generation.plant import plant_data
from tests.parecer.test_admin_queues import approved

pytestmark = pytest.mark.django_db


def test_the_issue_page_shows_declaration_8_3_with_who_and_when(
    client, technical_analyst, customer, installation, rt
):
    case = approved(customer, installation)
    data = plant_data(case, rt, declarations=("8.3", "8.4", "8.6"))
    Declaration.objects.filter(data=data, code="8.3").update(at=dt.datetime(2027, 3, 1, 13, 0, tzinfo=dt.UTC))
    client.force_login(technical_analyst)
    with translation.override("en"):
        page = client.get(
            reverse("admin:parecer_parecerqueue_issue", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="declarations"' in html
    assert "8.3" in html
    assert rt.get_full_name() in html and "01/03/2027 10:00" in html
    # The norms and truthfulness declarations every order makes are not news to the analyst.
    assert "8.4" not in html.split('data-testid="declarations"')[1].split("</div>")[0]


def test_without_optional_declarations_nothing_is_added(
    client, technical_analyst, customer, installation, rt
):
    case = approved(customer, installation)
    plant_data(case, rt, declarations=("8.4", "8.6"))
    client.force_login(technical_analyst)
    page = client.get(reverse("admin:parecer_parecerqueue_issue", args=[case.pk]))
    assert page.status_code == 200 and 'data-testid="declarations"' not in page.content.decode()
