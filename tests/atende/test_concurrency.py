"""Two people acting at once on PostgreSQL: one wins, the other is refused, nothing is duplicated."""

import threading

import pytest
from django.db import connection

from atende import services
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case, NumberSequence
from tests import factories
from tests.atende.conftest import make_case

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def run_at_once(count, work):
    barrier = threading.Barrier(count)
    results = []

    def worker(i):
        try:
            barrier.wait()
            results.append(("ok", work(i)))
        except Exception as exc:  # noqa: BLE001 — the refusal is the result under test
            results.append(("error", exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_analysts_approving_at_once_issue_one_ns(postgres, customer, installation):
    case = make_case(customer, installation)
    analysts = [factories.StaffFactory(role="Analista comercial") for _ in range(2)]
    results = run_at_once(
        2,
        lambda i: services.case_commercial_approve(case=Case.objects.get(pk=case.pk), by=analysts[i]).ns,
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    refusal = next(value for kind, value in results if kind == "error")
    assert isinstance(refusal, services.ServiceError)
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_TECHNICAL
    assert case.events.filter(action="commercial_approved").count() == 1
    assert case.deadlines.filter(kind="apr_register").count() == 1
    assert NumberSequence.objects.get(name="ns").last_value == 1


def test_protocols_from_many_threads_are_unique_without_gaps(postgres, customer, installation):
    # One installation each: an installation has one request under way at a time.
    places = [installation] + [
        factories.InstallationFactory(customer=installation.customer) for _ in range(7)
    ]
    drafts = [make_case(customer, place, state=CaseState.DRAFT) for place in places]
    results = run_at_once(8, lambda i: services.case_submit(case=drafts[i], by=customer).protocol)
    protocols = sorted(value for kind, value in results if kind == "ok")
    assert len(protocols) == 8, results
    numbers = [int(p[4:]) for p in protocols]
    assert numbers == list(range(numbers[0], numbers[0] + 8))


def test_rolled_back_submission_returns_its_number(postgres, customer, installation):
    from decimal import Decimal

    from gdportal.registry.models import Debt

    ok = make_case(customer, installation)
    draft = make_case(
        customer, factories.InstallationFactory(customer=installation.customer), state=CaseState.DRAFT
    )
    Debt.objects.create(
        customer=installation.customer, reference="X", amount=Decimal(1), due_date="2026-01-01"
    )
    with pytest.raises(services.DebtsOverdue):
        services.case_submit(case=draft, by=customer)
    Debt.objects.all().delete()
    again = services.case_submit(case=draft, by=customer)
    assert int(again.protocol) == int(ok.protocol) + 1


def test_two_drafts_for_one_installation_sent_at_once_open_one_request(postgres, customer, installation):
    """Two tabs (or the customer and their RT) send a request for the same plant in the same instant: the
    second waits on the installation's row and then finds the first under way."""
    from gdportal.cases.services import RuleBroken

    drafts = [make_case(customer, installation, state=CaseState.DRAFT) for _ in range(2)]
    results = run_at_once(2, lambda i: services.case_submit(case=drafts[i], by=customer).protocol)
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    refusal = next(value for kind, value in results if kind == "error")
    assert isinstance(refusal, RuleBroken) and set(refusal.errors) == {"installation"}
    assert Case.objects.filter(state=CaseState.SUBMITTED).count() == 1
