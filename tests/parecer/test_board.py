"""The SLA board and the daily digest carry stage 3's staff clocks (issue 11 item 8) in a fixed number of
queries, however many cases are due."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gdportal.accounts import roles
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from gdportal.deadlines.board import build, send_daily_digest
from gdportal.deadlines.services import deadline_start
from gdportal.notifications.models import OutboundEmail
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2027, 3, 1, 13, 0, tzinfo=dt.UTC)


def _due_cases(customer, installation, count, state, kind):
    cases = []
    with time_machine.travel(MONDAY - dt.timedelta(days=20), tick=False):
        for _ in range(count):
            case = make_case(customer, installation)
            Case.objects.filter(pk=case.pk).update(state=state)
            deadline_start(subject=case, kind=kind)
            cases.append(case)
    return cases


def _queries(fn):
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_the_board_lists_overdue_inspections_and_pareceres_in_fixed_queries(customer, installation):
    _due_cases(customer, installation, 2, CaseState.INSPECTION_REQUESTED, "inspection")
    _due_cases(customer, installation, 2, CaseState.APPROVED, "parecer_sla")
    with time_machine.travel(MONDAY, tick=False):
        few = _queries(lambda: build([roles.INSPECTOR, roles.TECHNICAL_ANALYST]))
        boards = {board.role: board for board in build([roles.INSPECTOR, roles.TECHNICAL_ANALYST])}
    assert len(boards[roles.INSPECTOR].overdue) == 2
    assert len(boards[roles.TECHNICAL_ANALYST].overdue) == 2
    _due_cases(customer, installation, 6, CaseState.INSPECTION_REQUESTED, "inspection")
    _due_cases(customer, installation, 6, CaseState.APPROVED, "parecer_sla")
    with time_machine.travel(MONDAY, tick=False):
        many = _queries(lambda: build([roles.INSPECTOR, roles.TECHNICAL_ANALYST]))
    assert many == few


def test_the_inspectors_get_their_digest(customer, installation, django_capture_on_commit_callbacks):
    from tests import factories

    factories.StaffFactory(username="vistoriador", role=roles.INSPECTOR, email="vistoria@example.com")
    cases = _due_cases(customer, installation, 1, CaseState.INSPECTION_REQUESTED, "inspection")
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        send_daily_digest()
    digest = OutboundEmail.objects.get(related_object__startswith=f"digest:{roles.INSPECTOR}")
    assert digest.to == ["vistoria@example.com"]
    assert cases[0].protocol in digest.body_text
