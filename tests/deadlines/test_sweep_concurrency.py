"""Two sweeps at once on PostgreSQL share the work (SKIP LOCKED) and never act twice."""

import datetime as dt

import pytest
from django.utils import timezone

from atende import services
from gdportal.cases.choices import CaseState
from gdportal.cases.models import CaseEvent
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.sweep import sweep
from gdportal.notifications.models import OutboundEmail
from tests import factories
from tests.atende.conftest import make_case
from tests.atende.test_concurrency import run_at_once

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_concurrent_sweeps_expire_each_case_once(postgres, customer, installation):
    analyst = factories.StaffFactory(role="Analista comercial")
    ids = []
    for _ in range(60):
        case = services.case_commercial_approve(case=make_case(customer, installation), by=analyst)
        ids.append(case.pk)
    Deadline.objects.filter(kind="apr_register").update(due_at=timezone.now() - dt.timedelta(minutes=5))
    results = run_at_once(3, lambda i: sweep(batch_size=7).lapsed)
    assert all(kind == "ok" for kind, _ in results), results
    assert sum(value for _, value in results) == 60  # each clock lapsed by exactly one of the sweeps
    assert CaseEvent.objects.filter(case_id__in=ids, action="expired").count() == 60
    assert OutboundEmail.objects.filter(template="case_expired").count() == 60
    assert set(Deadline.objects.filter(kind="apr_register").values_list("state", flat=True)) == {"lapsed"}
    from gdportal.cases.models import Case

    assert set(Case.objects.filter(pk__in=ids).values_list("state", flat=True)) == {CaseState.EXPIRED}


def test_sweep_skips_a_case_a_user_is_changing_instead_of_deadlocking(
    postgres, customer, installation, rt, rt_registration
):
    """The RT registers the order (holding the case row) while the sweep runs: neither waits on the other."""
    import threading

    from django.db import connection, transaction

    from aprweb.models import AprOrder
    from tests.aprweb.conftest import build_order

    analyst = factories.StaffFactory(role="Analista comercial")
    case = services.case_commercial_approve(case=make_case(customer, installation), by=analyst)
    Deadline.objects.filter(case=case, kind="apr_register").update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    holding, release = threading.Event(), threading.Event()

    def rt_registers():
        try:
            with transaction.atomic():
                from gdportal.cases.services import case_lock

                case_lock(case)  # what order_register does first
                holding.set()
                release.wait(10)
                build_order(case, rt)
        finally:
            connection.close()

    thread = threading.Thread(target=rt_registers)
    thread.start()
    assert holding.wait(10)
    first = sweep()  # must not block on the case row the RT holds
    release.set()
    thread.join(20)
    assert first.lapsed == 0
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_TECHNICAL and AprOrder.objects.filter(case=case).exists()
    assert sweep().lapsed == 0  # the register clock was met by the RT; nothing left to lapse
