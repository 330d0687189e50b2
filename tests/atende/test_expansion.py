"""The ampliação request type (SPEC §16): an existing plant's power changes. The request's power is the total
after the change; the bracket and the GFC are judged on it; the connection updates the existing plant and the
added power keeps its own request date and GD class."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from atende.forms import AccessRequestForm
from compensation.models import Generator, GeneratorExpansion
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from gdportal.cases.services import RuleBroken, case_transition
from tests import factories
from tests.atende.conftest import make_case, request_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def plant(installation, power="8.50", **fields):
    values = dict(
        installation=installation,
        connected_on=dt.date(2022, 6, 1),
        power_kw=D(power),
        source="solar",
        modality="remote",
        requested_on=dt.date(2022, 3, 1),
        dispatchable=False,
        gd_class="I",
    )
    values.update(fields)
    return Generator.objects.create(**values)


def test_the_form_prefills_an_expansion_from_the_plant_already_there(customer, installation):
    plant(installation)
    form = AccessRequestForm(customer=installation.customer, installation=installation, user=customer)
    assert form.initial["request_type"] == "expansion"
    assert (form.initial["source"], form.initial["modality"]) == ("solar", "remote")
    assert "already has a 8,5 kW plant" in str(form.fields["power_kw"].help_text)
    assert "total power after the change" in str(form.fields["power_kw"].help_text)


def test_without_a_plant_the_form_keeps_its_usual_type(customer, installation):
    form = AccessRequestForm(customer=installation.customer, installation=installation, user=customer)
    assert form.initial.get("request_type") != "expansion"


def test_an_expansion_needs_a_plant_at_the_installation(customer, installation):
    form = AccessRequestForm(
        data=request_data(request_type="expansion"),
        customer=installation.customer,
        installation=installation,
        user=customer,
        documents_later=True,
    )
    assert "no connected generating unit" in form.errors["request_type"][0]
    with pytest.raises(RuleBroken) as refused:
        make_case(customer, installation, request_type="expansion")
    assert "request_type" in refused.value.errors


def test_the_total_after_an_expansion_must_exceed_the_current_power(customer, installation):
    plant(installation)
    form = AccessRequestForm(
        data=request_data(request_type="expansion", power_kw="8"),
        customer=installation.customer,
        installation=installation,
        user=customer,
        documents_later=True,
    )
    assert form.errors["power_kw"] == [
        "For an expansion type the total power after the change: more than the current 8,5 kW."
    ]


def test_the_bracket_is_judged_on_the_total_after_the_change(customer, installation):
    plant(installation)
    # 8,5 kW today, 12 kW after: microgeração above 10 kW, whatever the 3,5 kW added alone would be.
    form = AccessRequestForm(
        data=request_data(request_type="expansion", power_kw="12", reason="micro_le10"),
        customer=installation.customer,
        installation=installation,
        user=customer,
        documents_later=True,
    )
    assert "at most 10 kW" in form.errors["power_kw"][0]
    case = make_case(customer, installation, request_type="expansion", power_kw="12", reason="micro_gt10")
    assert case.state == CaseState.SUBMITTED


def test_the_gfc_is_judged_on_the_total_after_the_change(customer, installation):
    plant(installation, power="450", modality="local", source="hydro")
    # 450 kW today needs no guarantee; 600 kW after the change does (SPEC §6.5).
    with pytest.raises(RuleBroken) as refused:
        make_case(
            customer, installation, request_type="expansion", power_kw="600", reason="mini", source="hydro"
        )
    assert "gfc_form" in refused.value.errors


def test_the_connection_enlarges_the_plant_and_the_added_power_keeps_its_own_date_and_class(
    customer, installation
):
    generator = plant(installation)
    case = make_case(customer, installation, request_type="expansion", power_kw="12", reason="micro_gt10")
    Case.objects.filter(pk=case.pk).update(
        state=CaseState.INSPECTION_REQUESTED,
        submitted_at=timezone.make_aware(dt.datetime(2026, 3, 10, 12)),
    )
    case = Case.objects.get(pk=case.pk)
    case_transition(case.inspection_pass, by=factories.StaffFactory(), action="inspection_passed")

    assert Generator.objects.filter(installation=installation).count() == 1
    generator.refresh_from_db()
    assert generator.power_kw == D("12")
    # The power that was there keeps the class of its 2022 request (GD I) …
    assert (generator.requested_on, generator.gd_class) == (dt.date(2022, 3, 1), "I")
    # … and the 3,5 kW added carry the 2026 request's own (GD II).
    added = GeneratorExpansion.objects.get(generator=generator)
    assert (added.case, added.previous_kw, added.added_kw) == (case, D("8.50"), D("3.50"))
    assert (added.requested_on, added.gd_class) == (dt.date(2026, 3, 10), "II")
