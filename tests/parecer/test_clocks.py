"""Stage 3's clocks (SPEC §6, §9), with time frozen: the parecer's count from Day 0, the tacit acceptance, the
validity, the failed inspection's 120 days, and a clock for every turn."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from gdportal.cases.choices import OPEN_STATES, CaseState
from gdportal.cases.services import ServiceError
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.sweep import sweep
from gdportal.notifications.models import OutboundEmail
from parecer.services import parecer_accept, parecer_cancel, parecer_clock_pause, parecer_clock_resume
from parecer.services_inspection import inspection_fail, inspection_pass, inspection_request
from tests.parecer.conftest import approve, approved_case_for, issue

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
# Monday 1 March 2027: no holiday in the weeks these tests count.
MONDAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=SP)


def end_of(day):
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SP)


def at(moment):
    return time_machine.travel(moment, tick=False)


def clock(case, kind):
    return case.deadlines.get(kind=kind)


def vistoria_data(case):
    return {
        "holder_name": case.holder_name,
        "document": case.document,
        "street": case.street,
        "cep": case.cep,
        "street_number": case.street_number,
        "district": case.district,
        "municipality": case.municipality,
        "email": case.email,
        "phone": case.phone,
    }


@pytest.fixture
def issued(customer, installation, rt, rt_registration, technical_analyst):
    with at(MONDAY):
        case = approved_case_for(customer, installation, rt, technical_analyst)
        issue(case, technical_analyst)
    case.refresh_from_db()
    return case


def test_the_parecer_count_starts_at_the_complete_request_and_grows_with_works(
    customer, installation, rt, rt_registration, technical_analyst
):
    from aprweb.services_orders import order_submit
    from tests.aprweb.conftest import attach_all, build_order
    from tests.atende.conftest import make_case

    with at(MONDAY):
        case = make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL)
        order = build_order(case, rt)
        attach_all(order, rt)
        order_submit(order=order, by=rt)
    # Day 0 is the order submitted; 15 days for micro without works; the conformity check runs inside it.
    assert clock(case, "parecer_sla").due_at == end_of(dt.date(2027, 3, 16))
    assert clock(case, "technical_sla").state == Deadline.State.OPEN
    with at(MONDAY + dt.timedelta(days=4)):
        case.refresh_from_db()
        approve(case, technical_analyst, grid_works_needed=True)
    # Works found: 30 days, from the same Day 0 — not from the approval.
    assert clock(case, "parecer_sla").due_at == end_of(dt.date(2027, 3, 31))


def test_a_paused_parecer_count_resumes_with_the_days_left(
    customer, installation, rt, rt_registration, technical_analyst
):
    with at(MONDAY):
        case = approved_case_for(customer, installation, rt, technical_analyst)
    with at(MONDAY + dt.timedelta(days=2)):
        parecer_clock_pause(case=case, by=technical_analyst, reason="Consulta ao ONS")
    # Paused: the sweep leaves it alone even long after its date.
    assert sweep(now=end_of(dt.date(2027, 4, 30))).flagged == 0
    with at(MONDAY + dt.timedelta(days=7)):
        parecer_clock_resume(case=case, by=technical_analyst)
    assert clock(case, "parecer_sla").due_at == end_of(dt.date(2027, 3, 22))  # 16 March + 5 days paused (Mon)


def test_silence_accepts_after_exactly_ten_business_days_and_not_before(issued):
    acceptance = clock(issued, "parecer_acceptance")
    assert acceptance.due_at == end_of(dt.date(2027, 3, 15))  # Mon 1 + 10 business days
    with at(acceptance.due_at - dt.timedelta(seconds=1)):
        sweep()
    issued.refresh_from_db()
    assert issued.state == CaseState.PARECER_ISSUED
    with at(acceptance.due_at):
        sweep()
        sweep()  # twice: the same result
    issued.refresh_from_db()
    assert issued.state == CaseState.PARECER_ACCEPTED
    parecer = issued.pareceres.get()
    assert parecer.accepted_tacitly and parecer.accepted_at == acceptance.due_at
    assert OutboundEmail.objects.filter(template="parecer_accepted").count() == 1
    assert issued.events.filter(action="parecer_accepted_tacitly").count() == 1


def test_a_parecer_with_financial_participation_is_never_accepted_by_silence(
    customer, installation, rt, rt_registration, technical_analyst
):
    with at(MONDAY):
        case = approved_case_for(customer, installation, rt, technical_analyst, reason="mini", power_kw="300")
        issue(case, technical_analyst, financial_participation="12500.00", tariff_group="A4", voltage="MT")
    assert not case.deadlines.filter(kind="parecer_acceptance").exists()
    # Still the titular's turn to accept, within the validity (no clock that accepts by itself).
    assert clock(case, "parecer_acceptance_express").due_at == clock(case, "parecer_validity").due_at
    with at(dt.datetime(2027, 4, 30, 12, tzinfo=SP)):
        sweep()
    case.refresh_from_db()
    assert case.state == CaseState.PARECER_ISSUED


def test_the_validity_lapses_into_parecer_vencido_with_reminders_before(issued, customer):
    with at(MONDAY + dt.timedelta(days=1)):
        parecer_accept(case=issued, by=customer)
    validity = clock(issued, "parecer_validity")
    assert validity.due_at == end_of(dt.date(2027, 6, 29))  # 1 March + 120 days
    assert issued.pareceres.get().valid_until == dt.date(2027, 6, 29)
    with at(validity.due_at - dt.timedelta(days=29)):
        sweep()
    with at(validity.due_at - dt.timedelta(days=6)):
        sweep()
        sweep()
    assert OutboundEmail.objects.filter(template="parecer_expiring").count() == 2
    with at(validity.due_at - dt.timedelta(seconds=1)):
        sweep()
    issued.refresh_from_db()
    assert issued.state == CaseState.PARECER_ACCEPTED
    with at(validity.due_at):
        sweep()
    issued.refresh_from_db()
    assert issued.state == CaseState.PARECER_EXPIRED
    assert issued.get_state_display() == "Parecer de acesso vencido"
    assert OutboundEmail.objects.filter(template="parecer_expired").count() == 1
    # An expired parecer does not open the vistoria.
    with at(validity.due_at + dt.timedelta(days=1)), pytest.raises(ServiceError):
        inspection_request(case=issued, by=customer, data=vistoria_data(issued), declaration=True)


def test_the_vistoria_is_refused_for_an_unfavourable_parecer(
    customer, installation, rt, rt_registration, technical_analyst
):
    with at(MONDAY):
        case = approved_case_for(customer, installation, rt, technical_analyst)
        issue(case, technical_analyst, favourable=False)
    case.refresh_from_db()
    assert case.state == CaseState.PARECER_UNFAVOURABLE and case.state not in OPEN_STATES
    with pytest.raises(ServiceError):
        inspection_request(case=case, by=customer, data=vistoria_data(case), declaration=True)


def test_the_rt_cannot_cancel_a_parecer_the_titular_can(issued, rt, customer):
    with pytest.raises(PermissionDenied):
        parecer_cancel(case=issued, by=rt)
    issued.refresh_from_db()
    assert issued.state == CaseState.PARECER_ISSUED
    parecer_cancel(case=issued, by=customer, reason="Desisti da usina")
    issued.refresh_from_db()
    assert issued.state == CaseState.CANCELLED
    assert not issued.deadlines.filter(state=Deadline.State.OPEN).exists()


def test_a_failed_inspection_without_a_new_request_in_120_days_cancels_the_case(issued, customer, inspector):
    with at(MONDAY + dt.timedelta(days=1)):
        parecer_accept(case=issued, by=customer)
        inspection_request(case=issued, by=customer, data=vistoria_data(issued), declaration=True)
    with at(MONDAY + dt.timedelta(days=3)):
        inspection_fail(
            case=issued, by=inspector, visited_on=dt.date(2027, 3, 4), report="Placa de advertência ausente"
        )
    again = clock(issued, "inspection_again")
    assert again.due_at == end_of(dt.date(2027, 7, 2))  # Thu 4 March + 120 days (a Friday)
    with at(again.due_at - dt.timedelta(seconds=1)):
        sweep()
    issued.refresh_from_db()
    assert issued.state == CaseState.INSPECTION_FAILED
    with at(again.due_at):
        sweep()
    issued.refresh_from_db()
    assert issued.state == CaseState.CANCELLED
    assert issued.events.filter(action="inspection_lapsed").count() == 1
    assert OutboundEmail.objects.filter(template="inspection_lapsed").count() == 1


def _open_clocks(case):
    return list(case.deadlines.filter(state=Deadline.State.OPEN).values_list("kind", flat=True))


def test_every_turn_after_the_approval_has_a_clock(issued, customer, inspector):
    """SPEC §9: every non-final state shows whose turn it is and until when."""
    seen = {CaseState.PARECER_ISSUED: _open_clocks(issued)}
    with at(MONDAY + dt.timedelta(days=1)):
        parecer_accept(case=issued, by=customer)
        seen[CaseState.PARECER_ACCEPTED] = _open_clocks(issued)
        inspection_request(case=issued, by=customer, data=vistoria_data(issued), declaration=True)
        seen[CaseState.INSPECTION_REQUESTED] = _open_clocks(issued)
    with at(MONDAY + dt.timedelta(days=2)):
        inspection_fail(case=issued, by=inspector, visited_on=dt.date(2027, 3, 3), report="Aterramento")
        seen[CaseState.INSPECTION_FAILED] = _open_clocks(issued)
        inspection_request(case=issued, by=customer, data=vistoria_data(issued), declaration=True)
        inspection_pass(
            case=issued,
            by=inspector,
            visited_on=dt.date(2027, 3, 3),
            meter_number="MB-778899",
            connected_on=dt.date(2027, 3, 3),
        )
    issued.refresh_from_db()
    assert issued.state == CaseState.CONNECTED
    assert {state: set(kinds) for state, kinds in seen.items()} == {
        CaseState.PARECER_ISSUED: {"parecer_validity", "parecer_acceptance"},
        CaseState.PARECER_ACCEPTED: {"parecer_validity"},
        CaseState.INSPECTION_REQUESTED: {"inspection"},
        CaseState.INSPECTION_FAILED: {"inspection_again"},
    }
    assert not _open_clocks(issued)
    assert issued.get_state_display() == "Usina conectada"
