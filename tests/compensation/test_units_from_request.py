"""The participating units filed with the request (SPEC §7.1, §16): the titular confirms them on the case, and
at the connection they become the plant's allocation — no analyst's acceptance, no notice period, from the
cycle after the connection."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from compensation.models import AllocationSet, AllocationStatus, Generator
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from gdportal.cases.services import case_transition
from tests import factories
from tests.atende.conftest import make_case
from tests.generation.plant import plant_data

pytestmark = pytest.mark.django_db
CONNECTION = dt.datetime(2027, 3, 10, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def filed(customer, installation, rt):
    """A remote self-consumption case awaiting its inspection, with two units of the same holder filed."""
    case = make_case(customer, installation, modality="remote", rt=None)
    first = factories.InstallationFactory(customer=installation.customer)
    second = factories.InstallationFactory(customer=installation.customer)
    plant_data(case, rt, units=[(first.number, "60"), (second.number, "25.5")])
    Case.objects.filter(pk=case.pk).update(state=CaseState.INSPECTION_REQUESTED, rt=rt)
    case.refresh_from_db()
    return case, first, second


def connect(case):
    case = Case.objects.get(pk=case.pk)
    with time_machine.travel(CONNECTION, tick=False):
        case_transition(case.inspection_pass, by=factories.StaffFactory(), action="inspection_passed")
    return Generator.objects.get(installation=case.installation)


def test_the_titular_confirms_on_the_case_page_and_the_connection_applies_them(client, customer, filed):
    case, first, second = filed
    client.force_login(customer)
    page = client.get(reverse("atende:status_detail", args=[case.protocol]))
    html = page.content.decode()
    assert (
        'data-testid="units-panel"' in html and first.number in html and 'data-testid="confirm-units"' in html
    )
    answer = client.post(reverse("compensation_atende:confirm_units", args=[case.protocol]))
    assert answer.status_code == 302
    assert case.events.filter(action="units_confirmed", actor=customer).exists()

    generator = connect(case)
    (allocation,) = AllocationSet.objects.filter(generator=generator)
    assert allocation.status == AllocationStatus.ACCEPTED
    assert allocation.decided_by is None  # no analyst
    # Connected in March: April is the first cycle, with no 60-day notice.
    assert (allocation.first_cycle, allocation.last_cycle) == (dt.date(2027, 4, 1), None)
    shares = {row.installation.number: row.percent for row in allocation.rows.select_related("installation")}
    assert shares == {first.number: D("60.00"), second.number: D("25.50")}
    assert allocation.requested_by == customer


def test_units_not_confirmed_are_not_applied(filed):
    case, _first, _second = filed
    generator = connect(case)
    assert not AllocationSet.objects.filter(generator=generator).exists()


def test_confirmed_after_the_connection_they_apply_at_once_from_the_next_open_cycle(client, customer, filed):
    case, first, _second = filed
    generator = connect(case)
    with time_machine.travel(dt.datetime(2027, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        client.force_login(customer)
        client.post(reverse("compensation_atende:confirm_units", args=[case.protocol]))
    (allocation,) = AllocationSet.objects.filter(generator=generator)
    # March and April are billed already: May, the cycle in progress, is the first it may still change.
    assert allocation.first_cycle == dt.date(2027, 5, 1)


def test_only_the_titular_confirms(client, rt, filed):
    case, _first, _second = filed
    client.force_login(rt)
    page = client.get(reverse("atende:status_detail", args=[case.protocol]))
    html = page.content.decode()
    assert 'data-testid="units-panel"' in html and 'data-testid="confirm-units"' not in html
    client.post(reverse("compensation_atende:confirm_units", args=[case.protocol]))
    assert not case.events.filter(action="units_confirmed").exists()
    assert not case.generation.units.exclude(confirmed_at=None).exists()


def test_a_unit_closed_since_the_filing_leaves_the_allocation_to_a_new_registration(client, customer, filed):
    case, first, _second = filed
    client.force_login(customer)
    client.post(reverse("compensation_atende:confirm_units", args=[case.protocol]))
    first.status = "closed"
    first.save()
    generator = connect(case)
    assert not AllocationSet.objects.filter(generator=generator).exists()
    assert first.number in case.events.get(action="units_not_applied").note
