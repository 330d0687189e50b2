"""The transparency figures (issue 14, SPEC §14 and §9), computed by hand for a few clocks."""

import datetime as dt

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from atende import services
from gdportal.cases.models import Case
from gdportal.deadlines.calendar import LOCAL_TZ
from gdportal.deadlines.models import Deadline
from gdportal.transparency.compute import compute_figures, percentile_cont
from tests import factories
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=LOCAL_TZ)


def local(*args):
    return dt.datetime(*args, tzinfo=LOCAL_TZ)


def stage(figures, code):
    return next(item for item in figures["stages"] if item["stage"] == code)


def month(figures, code, key):
    return next(row for row in stage(figures, code)["months"] if row["month"] == key)


def breaches(figures, key):
    return next(row for row in figures["breaches"] if row["month"] == key)


@pytest.fixture
def three_requests(customer, installation, commercial_analyst):
    """Through the real services: one commercial analysis within its 5 business days, one late, one open."""
    with time_machine.travel(local(2026, 2, 2, 10, 0), tick=False):  # Monday; due Monday 9 February
        within = make_case(customer, installation)
    with time_machine.travel(local(2026, 2, 5, 10, 0), tick=False):  # 3 days later
        services.case_commercial_approve(case=within, by=commercial_analyst)
    with time_machine.travel(local(2026, 2, 10, 10, 0), tick=False):  # due Thursday 19 (Carnaval 16–17)
        late = make_case(customer, installation)
    with time_machine.travel(local(2026, 3, 3, 10, 0), tick=False):  # 21 days later, in March
        services.case_commercial_approve(case=late, by=commercial_analyst)
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):  # due Monday 9 March; still open
        running = make_case(customer, installation)
    return within, late, running


def test_one_within_one_late_one_open_by_hand(three_requests):
    figures = compute_figures(now=NOW, months=3)

    assert figures["months"] == ["2026-01", "2026-02", "2026-03"]
    assert month(figures, "commercial", "2026-01") == {
        "month": "2026-01",
        "cases": 0,
        "closed": 0,
        "median_days": None,
        "p90_days": None,
        "within": 0,
        "within_pct": None,
        "late": 0,
    }
    assert month(figures, "commercial", "2026-02") == {
        "month": "2026-02",
        "cases": 1,
        "closed": 1,
        "median_days": 3.0,
        "p90_days": 3.0,
        "within": 1,
        "within_pct": 100.0,
        "late": 0,
    }
    # The late one counts in the month it closed (March), not in the month it was due.
    assert month(figures, "commercial", "2026-03") == {
        "month": "2026-03",
        "cases": 1,
        "closed": 1,
        "median_days": 21.0,
        "p90_days": 21.0,
        "within": 0,
        "within_pct": 0.0,
        "late": 1,
    }
    commercial = stage(figures, "commercial")
    assert (commercial["open"], commercial["open_overdue"]) == (1, 1)
    # Breaches of the commercial clock: March's late close and the open one past its due date.
    assert breaches(figures, "2026-02")["counts"]["commercial_sla"] == 0
    assert breaches(figures, "2026-03")["counts"]["commercial_sla"] == 2
    # The two approved requests wait for the RT now (the NS opened the APR clocks): the RT's time, no share.
    apr = stage(figures, "apr_documents")
    assert (apr["party"], apr["open"], apr["open_overdue"]) == ("rt", 2, None)
    assert month(figures, "apr_documents", "2026-03")["within_pct"] is None


def _clock(case, kind, started_at, closed_at, *, due_at=None, state=Deadline.State.MET, paused_days=0):
    return Deadline.objects.create(
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=case.pk,
        kind=kind,
        started_at=started_at,
        due_at=due_at or started_at + dt.timedelta(days=30),
        state=state,
        closed_at=closed_at,
        paused_days=paused_days,
    )


@pytest.fixture
def drafts(customer, installation):
    return [
        make_case(customer, factories.InstallationFactory(customer=customer.customer), state="draft")
        for _ in range(4)
    ]


def test_median_and_90th_percentile_interpolate_like_postgresql(drafts):
    start = local(2026, 2, 2, 9, 0)
    for case, days in zip(drafts, (1, 2, 3, 10), strict=True):
        _clock(case, "parecer_sla", start, start + dt.timedelta(days=days))

    row = month(compute_figures(now=NOW, months=2), "parecer", "2026-02")

    assert (row["cases"], row["closed"]) == (4, 4)
    assert row["median_days"] == 2.5  # between 2 and 3
    assert row["p90_days"] == 7.9  # 3 + 0.7 × (10 − 3)
    assert percentile_cont([1, 2, 3, 4, 10], 0.9) == pytest.approx(7.6)
    assert percentile_cont([], 0.5) is None


def test_paused_days_cancelled_clocks_and_the_local_month(drafts):
    first, second, third, fourth = drafts
    # 20 days elapsed, 5 of them paused for the ONS: 15 days of the utility's time.
    _clock(first, "parecer_sla", local(2026, 2, 1, 9, 0), local(2026, 2, 21, 9, 0), paused_days=5)
    # Closed at 23:00 on 28 February in São Paulo (02:00 UTC on 1 March): February's.
    _clock(second, "parecer_sla", local(2026, 2, 18, 23, 0), local(2026, 2, 28, 23, 0))
    # A withdrawn request's clock measured nothing.
    _clock(
        third, "parecer_sla", local(2026, 2, 2, 9, 0), local(2026, 2, 3, 9, 0), state=Deadline.State.CANCELLED
    )
    # Not a stage of the page (the validity of the parecer is the holder's).
    _clock(fourth, "parecer_validity", local(2026, 2, 2, 9, 0), local(2026, 2, 3, 9, 0))

    figures = compute_figures(now=NOW, months=2)

    february = month(figures, "parecer", "2026-02")
    assert (february["closed"], february["median_days"], february["p90_days"]) == (2, 12.5, 14.5)
    assert month(figures, "parecer", "2026-03")["closed"] == 0
    assert sum(row["closed"] for item in figures["stages"] for row in item["months"]) == 2


def test_a_paused_clock_past_its_old_due_date_is_not_overdue(drafts):
    clock = _clock(drafts[0], "parecer_sla", local(2026, 2, 1, 9, 0), None, due_at=local(2026, 2, 16, 23, 59))
    Deadline.objects.filter(pk=clock.pk).update(state=Deadline.State.OPEN, paused_at=local(2026, 2, 10, 9, 0))

    parecer = stage(compute_figures(now=NOW, months=2), "parecer")

    assert (parecer["open"], parecer["open_overdue"]) == (1, 0)
