"""The staff deadlines board and the daily digest (issue 5 item 6)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from aprweb.services import rt_registration_submit
from gdportal.deadlines.board import send_daily_digest
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
