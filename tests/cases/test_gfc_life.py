"""The guarantee's life after its verification (SPEC §6.5, §9's GFC rows), with time frozen: reminders 30 and
7 days before its own expiry, the connection's 30 days, releasable on the sweep's own."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gdportal.cases.choices import CaseState
from gdportal.cases.gfc import gfc_amount, gfc_connected, gfc_verify
from gdportal.cases.models import Guarantee
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.sweep import sweep
from gdportal.notifications.models import OutboundEmail
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
# Monday 1 March 2027; the days counted below (7 April + 30 = Friday 7 May) are business days.
MONDAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=SP)
CONNECTED_ON = dt.date(2027, 4, 7)
KEPT_UNTIL = dt.date(2027, 5, 7)
SECOND = dt.timedelta(seconds=1)


def end_of(day):
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SP)


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture(autouse=True)
def rendered(monkeypatch):
    # The GFC's e-mail templates are another helper's: these tests look at the outbox rows and recipients.
    monkeypatch.setattr("gdportal.notifications.services._render", lambda template, context: ("s", "t", "h"))


def verified_case(customer, installation, analyst, expires_on):
    """A minigeneration request of 800 kW, modality local (the GFC applies), its guarantee verified MONDAY."""
    with at(MONDAY):
        case = make_case(
            customer,
            installation,
            state=CaseState.SUBMITTED,
            reason="mini",
            power_kw=Decimal("800"),
            gfc_form="bank",
            gfc_bank="itau",
            gfc_amount=gfc_amount(Decimal("800")),
        )
        gfc_verify(
            case=case,
            by=analyst,
            form="bank",
            bank="itau",
            amount=gfc_amount(Decimal("800")),
            expires_on=expires_on,
        )
    return case


def sweep_at(moment, capture):
    with at(moment), capture(execute=True):  # the outbox rows are sent (and their recipients resolved)
        return sweep()


def test_reminders_30_and_7_days_before_the_expiry_are_sent_once_each(
    customer, installation, commercial_analyst, django_capture_on_commit_callbacks
):
    expires_on = dt.date(2027, 6, 30)
    case = verified_case(customer, installation, commercial_analyst, expires_on)
    clock = case.deadlines.get(kind="gfc_expiry")
    assert clock.due_at == end_of(expires_on)
    first, second = end_of(dt.date(2027, 5, 31)), end_of(dt.date(2027, 6, 23))
    assert (clock.remind_2bd_at, clock.remind_24h_at) == (first, second)

    def reminders():
        return OutboundEmail.objects.filter(template="gfc_expiring", related_object=f"case:{case.pk}")

    assert sweep_at(first - SECOND, django_capture_on_commit_callbacks).reminders == 0
    assert sweep_at(first, django_capture_on_commit_callbacks).reminders == 1
    assert sweep_at(first + dt.timedelta(hours=2), django_capture_on_commit_callbacks).reminders == 0
    assert reminders().count() == 1
    assert sweep_at(second - SECOND, django_capture_on_commit_callbacks).reminders == 0
    assert sweep_at(second, django_capture_on_commit_callbacks).reminders == 1
    assert sweep_at(second, django_capture_on_commit_callbacks).reminders == 0
    assert reminders().count() == 2
    for email in reminders():
        assert email.status == OutboundEmail.Status.SENT
        # The customer's people (the request's e-mail, the RT's) and the commercial group (SPEC §8).
        assert commercial_analyst.email in email.to and set(case.notify_emails) <= set(email.to)


def test_an_inactive_analyst_is_not_told(
    customer, installation, commercial_analyst, django_capture_on_commit_callbacks
):
    from tests import factories

    gone = factories.StaffFactory(username="ex.analista", role="Analista comercial", is_active=False)
    case = verified_case(customer, installation, commercial_analyst, dt.date(2027, 6, 30))
    sweep_at(end_of(dt.date(2027, 5, 31)), django_capture_on_commit_callbacks)
    email = OutboundEmail.objects.get(template="gfc_expiring", related_object=f"case:{case.pk}")
    assert commercial_analyst.email in email.to and gone.email not in email.to


def test_the_connection_starts_the_kept_clock_and_a_safe_expiry_stops_the_reminders(
    customer, installation, commercial_analyst
):
    expires_on = dt.date(2027, 9, 30)  # well after connection + 30 days
    case = verified_case(customer, installation, commercial_analyst, expires_on)
    with at(dt.datetime.combine(CONNECTED_ON, dt.time(16), tzinfo=SP)):
        gfc_connected(case, CONNECTED_ON)
    kept = case.deadlines.get(kind="gfc_kept")
    assert kept.state == Deadline.State.OPEN and kept.due_at == end_of(KEPT_UNTIL)
    assert case.deadlines.get(kind="gfc_expiry").state == Deadline.State.MET
    with at(end_of(dt.date(2027, 8, 31))):  # 30 days before the expiry, and later the 7
        assert sweep().reminders == 0
    with at(end_of(dt.date(2027, 9, 23))):
        assert sweep().reminders == 0
    assert not OutboundEmail.objects.filter(template="gfc_expiring").exists()


def test_an_expiry_before_connection_plus_30_days_keeps_its_reminders(
    customer, installation, commercial_analyst
):
    case = verified_case(customer, installation, commercial_analyst, dt.date(2027, 5, 1))
    with at(end_of(dt.date(2027, 4, 1))):  # 30 days before the guarantee's own expiry
        assert sweep().reminders == 1
    with at(dt.datetime.combine(CONNECTED_ON, dt.time(16), tzinfo=SP)):
        gfc_connected(case, CONNECTED_ON)
    assert case.deadlines.get(kind="gfc_expiry").state == Deadline.State.OPEN
    assert case.deadlines.get(kind="gfc_kept").state == Deadline.State.OPEN
    with at(end_of(dt.date(2027, 4, 24))):  # 7 days before
        assert sweep().reminders == 1
    assert OutboundEmail.objects.filter(template="gfc_expiring").count() == 2


def test_the_sweep_marks_it_releasable_30_days_after_the_connection_and_not_a_day_before(
    customer, installation, commercial_analyst
):
    case = verified_case(customer, installation, commercial_analyst, dt.date(2027, 9, 30))
    with at(dt.datetime.combine(CONNECTED_ON, dt.time(16), tzinfo=SP)):
        gfc_connected(case, CONNECTED_ON)
    for moment in (end_of(KEPT_UNTIL) - dt.timedelta(days=1), end_of(KEPT_UNTIL) - SECOND):
        with at(moment):
            sweep()
        assert Guarantee.objects.get(case=case).status == Guarantee.Status.HELD
    assert not case.events.filter(action="gfc_releasable").exists()

    with at(end_of(KEPT_UNTIL)):
        assert sweep().lapsed == 1
        assert sweep().lapsed == 0  # twice: one effect
    guarantee = Guarantee.objects.get(case=case)
    assert guarantee.status == Guarantee.Status.RELEASABLE and guarantee.releasable_at == end_of(KEPT_UNTIL)
    assert case.deadlines.get(kind="gfc_kept").state == Deadline.State.LAPSED
    assert case.events.filter(action="gfc_releasable").count() == 1
    email = OutboundEmail.objects.get(template="gfc_releasable")
    assert email.related_object == f"case:{case.pk}"
    assert commercial_analyst.email in email.to and set(case.notify_emails) <= set(email.to)
