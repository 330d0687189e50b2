"""An ampliação's data step starts from the plant as it was connected (SPEC §16): the RT changes what the
expansion changes instead of typing every module and inverter again."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from compensation.models import Generator
from gdportal.cases.models import Case
from tests import factories
from tests.aprweb.conftest import build_order
from tests.atende.conftest import make_case
from tests.generation.plant import plant_data

pytestmark = pytest.mark.django_db


def test_the_expansion_step_is_prefilled_from_the_connected_plant(client, customer, installation, rt):
    factories.RTRegistrationFactory(
        name="Paulo Andrade", cpf=rt.cpf, email=rt.email, status="approved", user=rt
    )
    first = make_case(customer, installation)
    plant_data(first, rt)
    Case.objects.filter(pk=first.pk).update(state="connected")
    Generator.objects.create(
        installation=installation,
        case=first,
        connected_on=dt.date(2025, 6, 1),
        power_kw=D("8.5"),
        source="solar",
        modality="local",
        requested_on=dt.date(2025, 3, 1),
        gd_class="II",
    )
    expansion = make_case(
        customer, installation, state="awaiting_technical", request_type="expansion", power_kw="12",
        reason="micro_gt10",
    )  # fmt: skip
    order = build_order(expansion, rt)
    assert (
        client.post("/apr/", {"username": rt.cpf, "password": "Apr-" + factories.PASSWORD}).status_code == 302
    )
    html = client.get(reverse("aprweb:order_generation", args=[order.pk])).content.decode()
    assert 'value="MIN 5000TL-X"' in html and 'value="Primo 3.5-1"' in html
    assert 'value="CS6W-550MS"' in html


def test_another_request_type_starts_blank(client, customer, installation, rt):
    factories.RTRegistrationFactory(
        name="Paulo Andrade", cpf=rt.cpf, email=rt.email, status="approved", user=rt
    )
    first = make_case(customer, installation)
    plant_data(first, rt)
    Case.objects.filter(pk=first.pk).update(state="connected")
    other = make_case(customer, installation, state="awaiting_technical")
    order = build_order(other, rt)
    assert (
        client.post("/apr/", {"username": rt.cpf, "password": "Apr-" + factories.PASSWORD}).status_code == 302
    )
    html = client.get(reverse("aprweb:order_generation", args=[order.pk])).content.decode()
    assert "MIN 5000TL-X" not in html
