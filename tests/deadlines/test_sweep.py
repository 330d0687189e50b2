"""The sweep enforces the clocks by itself (SPEC §9): lapses, staff SLAs, reminders — each exactly once."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from atende import services
from gdportal.cases.choices import CaseState
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.sweep import sweep
from gdportal.notifications.models import OutboundEmail
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)  # Monday 12:00 in São Paulo


@pytest.fixture
def ns_case(customer, installation, commercial_analyst):
    with time_machine.travel(NOON, tick=False):
        case = make_case(customer, installation)
        return services.case_commercial_approve(case=case, by=commercial_analyst)


def test_no_apr_order_within_24_hours_lapses_the_case(
    client, customer, ns_case, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOON + dt.timedelta(hours=23, minutes=59), tick=False):
        assert sweep().lapsed == 0
    with time_machine.travel(NOON + dt.timedelta(hours=24, minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            result = sweep()
    assert result.lapsed == 1
    ns_case.refresh_from_db()
    assert ns_case.state == CaseState.EXPIRED
    assert ns_case.deadlines.get(kind="apr_register").state == Deadline.State.LAPSED
    assert ns_case.deadlines.get(kind="apr_submit").state == Deadline.State.CANCELLED
    assert ns_case.events.filter(action="expired").count() == 1
    email = OutboundEmail.objects.get(template="case_expired")
    assert email.status == OutboundEmail.Status.SENT and "decurso de prazo" in email.body_text
    assert ns_case.protocol in email.subject
    assert (email.related_object, email.context) == (f"case:{ns_case.pk}", {"case_id": ns_case.pk})
    assert [m.subject for m in mail.outbox].count(f"[GD Portal] {email.subject}") == 1
    assert ns_case.history.first().state == CaseState.EXPIRED  # the admin history sees it too
    client.force_login(customer)
    html = client.get(reverse("atende:status_detail", args=[ns_case.protocol])).content.decode()
    assert "Reprovada por decurso de prazo" in html and "vencido" in html


def test_sweeping_twice_or_late_has_the_effect_of_one_run(
    ns_case, customer, installation, commercial_analyst
):
    with time_machine.travel(NOON, tick=False):
        other = services.case_commercial_approve(
            case=make_case(customer, installation), by=commercial_analyst
        )
    with time_machine.travel(NOON + dt.timedelta(days=3), tick=False):  # hours late after an outage
        first = sweep()
        second = sweep()
    assert first.lapsed == 4 and second.lapsed == 0  # both clocks of both cases passed unmet
    for case in (ns_case, other):
        case.refresh_from_db()
        assert case.state == CaseState.EXPIRED and case.events.filter(action="expired").count() == 1
    assert OutboundEmail.objects.filter(template="case_expired").count() == 2


def test_a_case_that_moved_on_is_not_expired(ns_case, rt, rt_registration):
    from tests.aprweb.conftest import build_order

    with time_machine.travel(NOON + dt.timedelta(hours=2), tick=False):
        build_order(ns_case, rt)
    with time_machine.travel(NOON + dt.timedelta(hours=30), tick=False):
        sweep()
    ns_case.refresh_from_db()
    assert ns_case.state == CaseState.AWAITING_TECHNICAL  # the register clock was met; submit still open


def test_staff_sla_is_flagged_overdue_and_stays_open(customer, installation, commercial_analyst):
    with time_machine.travel(NOON, tick=False):
        case = make_case(customer, installation)
    with time_machine.travel(NOON + dt.timedelta(days=10), tick=False):
        assert sweep().flagged == 1
        assert sweep().flagged == 0
    clock = case.deadlines.get(kind="commercial_sla")
    assert clock.state == Deadline.State.OPEN and clock.overdue_at is not None
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED  # a staff SLA never moves the case
    services.case_commercial_approve(case=case, by=commercial_analyst)
    clock.refresh_from_db()
    assert clock.state == Deadline.State.MET


def test_reminders_are_sent_once_per_clock_and_threshold(
    submitted_order, technical_analyst, django_capture_on_commit_callbacks
):
    from aprweb.services_technical import case_technical_suspend, version_verdict

    case = submitted_order.case
    art = case.documents.get(kind="art")
    version_verdict(
        version=art,
        by=technical_analyst,
        verdict="nonconforming",
        note="ART vencida",
        reasons=["art-ausente"],
    )
    with time_machine.travel(NOON, tick=False):
        case_technical_suspend(case=case, by=technical_analyst)
    clock = case.deadlines.get(kind="correction")
    assert clock.remind_2bd_at < clock.remind_24h_at < clock.due_at
    with time_machine.travel(clock.remind_2bd_at + dt.timedelta(minutes=1), tick=False):
        assert sweep().reminders == 1
        assert sweep().reminders == 0
    with time_machine.travel(clock.remind_24h_at + dt.timedelta(minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep().reminders == 1
        assert sweep().reminders == 0
    assert OutboundEmail.objects.filter(template__startswith="deadline_reminder").count() == 2
    reminder = OutboundEmail.objects.get(template="deadline_reminder_24h")
    assert reminder.status == OutboundEmail.Status.SENT and "corrigir as pendências" in reminder.body_text
    assert submitted_order.rt.email in reminder.to and case.customer.email in reminder.to  # RT and customer
    assert reminder.related_object == f"case:{case.pk}"  # the subject's tag (deadlines.subjects)
    with time_machine.travel(clock.due_at + dt.timedelta(minutes=1), tick=False):
        assert sweep().lapsed == 1
    case.refresh_from_db()
    submitted_order.refresh_from_db()
    assert case.state == CaseState.EXPIRED and submitted_order.situation == CaseState.EXPIRED


def test_short_clocks_have_no_reminder_before_they_start(ns_case):
    register = ns_case.deadlines.get(kind="apr_register")
    assert register.remind_2bd_at is None and register.remind_24h_at is None


def test_management_command(ns_case, capsys):
    with time_machine.travel(NOON + dt.timedelta(days=2), tick=False):
        call_command("sweep_deadlines")
    assert "1 lapsed" in capsys.readouterr().out


def test_expired_case_can_restart_with_a_reanalysis_ns(ns_case, customer):
    from aprweb.services_reanalysis import case_reanalysis_request

    with time_machine.travel(NOON + dt.timedelta(days=2), tick=False):
        sweep()
    ns_case.refresh_from_db()
    old = ns_case.ns
    case = case_reanalysis_request(case=ns_case, by=customer, rejected_ns=old)
    assert case.state == CaseState.AWAITING_TECHNICAL and case.ns != old
    assert set(case.deadlines.open().values_list("kind", flat=True)) == {"apr_register", "apr_submit"}
    assert timezone.now() < case.deadlines.get(kind="apr_register", state="open").due_at


def test_apr_order_page_shows_the_clock_and_then_vencido(apr_client, order):
    html = apr_client.get(reverse("aprweb:order", args=[order.pk])).content.decode()
    assert "enviar a documentação técnica no APR Web" in html and "vencido" not in html
    with time_machine.travel(timezone.now() + dt.timedelta(days=6), tick=False):
        sweep()
    html = apr_client.get(reverse("aprweb:order", args=[order.pk])).content.decode()
    assert "Reprovada por decurso de prazo" in html and "vencido" in html
