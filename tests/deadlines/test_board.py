"""The staff deadlines board and the daily digest (issue 5 item 6)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aprweb.models import RTRegistration
from aprweb.services_registration import rt_registration_reject, rt_registration_submit
from gdportal.brdocs import cpf_with_check_digits
from gdportal.deadlines.board import build, send_daily_digest
from gdportal.deadlines.kinds import all_kinds
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.sweep import sweep
from gdportal.notifications.models import OutboundEmail
from tests import factories
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def late_and_today(customer, installation):
    with time_machine.travel(MONDAY - dt.timedelta(days=13), tick=False):
        late = make_case(customer, installation)  # Tue 10 Nov + 5 business days → due Tue 17
    with time_machine.travel(MONDAY - dt.timedelta(days=10), tick=False):
        today = make_case(customer, installation)  # Fri 13 + 5 business days, skipping Fri 20 → due Mon 23
    with time_machine.travel(MONDAY - dt.timedelta(days=7), tick=False):
        # Mon 16 + 3 business days → due Thu 19: the registration analysts' overdue item.
        rt_registration_submit(registration=factories.RTRegistrationFactory.build(name="Carlos Técnico"))
    return late, today


def test_board_shows_each_group_its_overdue_and_due_today(client, commercial_analyst, late_and_today):
    late, today = late_and_today
    with time_machine.travel(MONDAY, tick=False):
        client.force_login(commercial_analyst)  # inside the frozen day: a session from "yesterday" expired
        sweep()
        html = client.get(reverse("sla_board")).content.decode()
    overdue, due_today = html.split("Vence hoje")[0], html.split("Vence hoje")[1]
    assert late.protocol in overdue and today.protocol in due_today
    assert "Carlos Técnico" not in html  # registrations belong to another group
    assert reverse("admin:atende_commercialqueue_changelist") in html


def test_digest_goes_once_a_day_to_each_group_with_items(
    commercial_analyst, late_and_today, django_capture_on_commit_callbacks
):
    from tests import factories

    registration_analyst = factories.StaffFactory(role="Analista de cadastro")
    with time_machine.travel(MONDAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert send_daily_digest() == 2
        assert send_daily_digest() == 0
    commercial = OutboundEmail.objects.get(related_object__startswith="digest:Analista comercial")
    assert commercial.to == [commercial_analyst.email] and late_and_today[0].protocol in commercial.body_text
    registration = OutboundEmail.objects.get(related_object__startswith="digest:Analista de cadastro")
    assert registration.to == [registration_analyst.email] and "Carlos Técnico" in registration.body_text


def test_board_is_staff_only(client, customer):
    client.force_login(customer)
    assert client.get(reverse("sla_board")).status_code == 302


def _registration(name, n):
    return rt_registration_submit(
        registration=factories.RTRegistrationFactory.build(
            name=name, cpf=cpf_with_check_digits(f"{300000000 + n * 7919:09d}")
        )
    )


def test_a_registration_clock_is_flagged_and_listed_like_a_case_clock(client, late_and_today):
    """The registration analyst's SLA is a clock like the commercial analyst's: the sweep flags it overdue
    (it does not lapse: the analyst still has to decide), the board lists it with its admin link, and the
    decision takes it off."""
    late, _today = late_and_today
    analyst = factories.StaffFactory(role="Analista de cadastro")
    registration = RTRegistration.objects.get()
    clock = registration.deadlines.get()
    assert (clock.kind, clock.state, clock.spec.staff_role) == (
        "rt_registration_review",
        Deadline.State.OPEN,
        "Analista de cadastro",
    )
    with time_machine.travel(MONDAY, tick=False):
        assert sweep().flagged == 2  # the late case's commercial clock and the registration's
        clock.refresh_from_db()
        assert clock.state == Deadline.State.OPEN and clock.overdue_at == MONDAY
        client.force_login(analyst)
        html = client.get(reverse("sla_board")).content.decode()
        overdue = html.split("Vence hoje")[0]
        assert "Carlos Técnico" in overdue and "Análise de cadastro de RT" in overdue
        assert reverse("admin:aprweb_rtregistration_change", args=[registration.pk]) in overdue
        assert late.protocol not in html  # the commercial group's item
        rt_registration_reject(registration=registration, by=analyst, reason="CREA não confere")
        clock.refresh_from_db()
        assert clock.state == Deadline.State.MET and clock.closed_at == MONDAY
        assert "Carlos Técnico" not in client.get(reverse("sla_board")).content.decode()


def test_the_board_lists_every_kind_of_subject_with_a_fixed_number_of_queries(
    client, customer, installation, late_and_today
):
    """A superuser sees the case and the registration groups; adding clocks adds no query (the subjects are
    fetched per kind of subject, not per clock)."""
    admin_user = factories.StaffFactory(is_superuser=True)
    roles_with_clocks = {spec.staff_role for spec in all_kinds().values() if spec.staff_role}

    def measure():
        with time_machine.travel(MONDAY, tick=False):
            build()  # warm the content-type cache, as any earlier request of the process would have
            with CaptureQueriesContext(connection) as built:
                boards = build()
            client.force_login(admin_user)
            with CaptureQueriesContext(connection) as page:
                html = client.get(reverse("sla_board")).content.decode()
        return boards, len(built), len(page), html

    boards, built, page, html = measure()
    assert built == len(roles_with_clocks) + 2  # one per group with staff clocks, one per kind of subject
    items = [item.subject for board in boards for item in board.overdue + board.due_today]
    assert sorted(items) == sorted([late_and_today[0].protocol, late_and_today[1].protocol, "Carlos Técnico"])

    with time_machine.travel(MONDAY - dt.timedelta(days=10), tick=False):
        more_cases = [make_case(customer, installation) for _ in range(4)]
    with time_machine.travel(MONDAY - dt.timedelta(days=7), tick=False):
        for n in range(4):
            _registration(f"Técnica {n}", n)
    boards, built_more, page_more, html = measure()
    assert (built_more, page_more) == (built, page)
    assert all(case.protocol in html for case in more_cases)
    assert all(f"Técnica {n}" in html for n in range(4))
