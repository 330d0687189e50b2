"""A fast-track generator (SPEC §15, art. 73-A) takes no receiving units (SPEC §7.1): the case filed with the
holder's term says so, not the size alone."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils.translation import gettext

from compensation.models import AllocationSet, Generator
from tests import factories
from tests.atende.conftest import make_case
from tests.compensation.test_allocation_registration import page, post, register_url

pytestmark = pytest.mark.django_db

REFUSAL = (
    "This generating unit (local self-consumption up to 7,5 kW, connected without the flow-inversion "
    "study) may not send credits to other units (REN 1.000 art. 73-A §2 II): its surplus stays as credit "
    "at the unit itself."
)


def generator_of(case):
    return Generator.objects.create(
        installation=case.installation,
        case=case,
        connected_on=date(2026, 6, 1),
        power_kw=case.power_kw,
        source="solar",
        modality=case.modality,
        requested_on=date(2026, 2, 1),
        gd_class="II",
    )


@pytest.fixture
def receiving(customer_record):
    return factories.InstallationFactory(customer=customer_record)


def test_a_fast_track_generator_is_refused_a_receiving_unit(client, customer, installation, receiving):
    case = make_case(customer, installation, power_kw="7.5", fast_track_term=True)
    assert case.flow_dispensation == "fast_track"
    generator = generator_of(case)
    client.force_login(customer)
    assert gettext(REFUSAL) in page(client.get(register_url(generator)))
    response = post(client, generator, [(receiving.number, "50")], unit_type="micro")
    assert response.status_code == 400 and gettext(REFUSAL) in response.context["form"].non_field_errors()
    assert AllocationSet.objects.count() == 0


def test_the_same_size_analysed_for_flow_inversion_may_allocate(client, customer, installation, receiving):
    case = make_case(customer, installation, power_kw="7.5")
    assert case.flow_dispensation == ""
    generator = generator_of(case)
    assert generator.power_kw == Decimal("7.50")
    client.force_login(customer)
    response = post(client, generator, [(receiving.number, "50")], unit_type="micro")
    assert response.status_code == 302
    assert AllocationSet.objects.count() == 1
