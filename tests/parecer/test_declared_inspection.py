"""Declaration 8.1 (SPEC §16): "padrão de entrada pronto e usina instalada: vistoria logo após a aprovação".
The inspection request files itself when the parecer is accepted — by the titular or by silence — and no
works or payment are pending; otherwise as soon as the last of them is cleared."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gdportal.cases.choices import CaseState
from gdportal.deadlines.sweep import sweep
from gdportal.notifications.models import OutboundEmail
from parecer.services import parecer_accept, parecer_record_payment, parecer_works_done
from tests import factories
from tests.generation.plant import plant_data
from tests.parecer.conftest import approved_case_for, issue

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
MONDAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=SP)


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def declared(customer, installation, rt, rt_registration, technical_analyst):
    """A case whose RT declared 8.1 on the data step, approved and with a parecer without works or payment."""
    with at(MONDAY):
        case = approved_case_for(customer, installation, rt, technical_analyst)
        plant_data(case, rt, declarations=("8.1", "8.4", "8.6"))
        issue(case, technical_analyst)
    case.refresh_from_db()
    return case


def test_accepting_the_parecer_requests_the_inspection_in_the_declarants_name(declared, customer, rt):
    with at(MONDAY + dt.timedelta(days=1)):
        parecer_accept(case=declared, by=customer)
    declared.refresh_from_db()
    assert declared.state == CaseState.INSPECTION_REQUESTED
    inspection = declared.inspections.get()
    assert inspection.requested_by == rt
    assert (inspection.holder_name, inspection.document, inspection.cep) == (
        declared.holder_name,
        declared.document,
        declared.cep,
    )
    event = declared.events.get(action="inspection_requested")
    assert event.actor is None and "8.1" in event.note
    # The validity stops at the first request; the inspector's clock starts.
    assert declared.deadlines.filter(kind="inspection", state="open").exists()
    assert OutboundEmail.objects.filter(template="inspection_requested").count() == 1


def test_silence_accepting_the_parecer_requests_it_too(declared):
    acceptance = declared.deadlines.get(kind="parecer_acceptance")
    with at(acceptance.due_at):
        sweep()
    declared.refresh_from_db()
    assert declared.pareceres.get().accepted_tacitly
    assert declared.state == CaseState.INSPECTION_REQUESTED


def test_without_the_declaration_the_titular_requests_it(
    customer, installation, rt, rt_registration, technical_analyst
):
    with at(MONDAY):
        case = approved_case_for(customer, installation, rt, technical_analyst)
        plant_data(case, rt, declarations=("8.4", "8.6"))
        issue(case, technical_analyst)
        parecer_accept(case=case, by=customer)
    case.refresh_from_db()
    assert case.state == CaseState.PARECER_ACCEPTED
    assert not case.inspections.exists()


def test_pending_works_hold_it_until_they_are_done(
    customer, installation, rt, rt_registration, technical_analyst
):
    with at(MONDAY):
        case = approved_case_for(customer, installation, rt, technical_analyst)
        plant_data(case, rt, declarations=("8.1", "8.4", "8.6"))
        issue(case, technical_analyst, works_needed=True, works_description="Troca do transformador",
              works_deadline_days=60)  # fmt: skip
        parecer_accept(case=case, by=customer)
    case.refresh_from_db()
    assert case.state == CaseState.PARECER_ACCEPTED
    with at(MONDAY + dt.timedelta(days=20)):
        parecer_works_done(case=case, by=technical_analyst, note="Transformador trocado")
    case.refresh_from_db()
    assert case.state == CaseState.INSPECTION_REQUESTED


def test_a_payment_due_holds_it_until_it_is_recorded(
    customer, installation, rt, rt_registration, technical_analyst
):
    with at(MONDAY):
        case = approved_case_for(customer, installation, rt, technical_analyst, reason="mini", power_kw="300")
        plant_data(case, rt, declarations=("8.1", "8.4", "8.6"))
        issue(case, technical_analyst, financial_participation="12500.00", tariff_group="A4", voltage="MT")
        parecer_accept(case=case, by=customer)
    case.refresh_from_db()
    assert case.state == CaseState.PARECER_ACCEPTED
    cashier = factories.StaffFactory(role="Analista comercial")
    with at(MONDAY + dt.timedelta(days=5)):
        parecer_record_payment(case=case, by=cashier, reference="Boleto 123")
    case.refresh_from_db()
    assert case.state == CaseState.INSPECTION_REQUESTED
