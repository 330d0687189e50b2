"""Six months of closed clocks behind the demo's cases, so /transparencia/ opens on a real page (issue 14;
seed_demo only, never production).

The demo's cases were filed today through the real services. The clocks added here are back-dated history
beside them: closed as met — a case's pages list only its open and lapsed clocks, so nobody sees them there —
and some of the utility's closed after their due date, as happens. The RT's clocks are all met in time (one
that lapses expires its case). Deterministic for a given day, and idempotent: nothing is added when the demo
cases already have clocks closed before the current month.
"""

import datetime as dt
import random

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from gdportal.cases.choices import CaseKind, CaseState
from gdportal.cases.models import Case
from gdportal.deadlines import calendar
from gdportal.deadlines.kinds import closed_days, get_kind
from gdportal.deadlines.models import Deadline

MONTHS = 6
# (clock, chance that a demo case had one closed in a given month, chance that the utility's closed late)
HISTORY = [
    ("commercial_sla", 0.9, 0.15),
    ("apr_register", 0.8, 0.0),
    ("apr_submit", 0.8, 0.0),
    ("technical_sla", 0.8, 0.2),
    ("parecer_sla", 0.6, 0.25),
    ("inspection", 0.5, 0.3),
    ("inspection_report", 0.2, 0.3),
]


def history_months(today):
    """The first day of each of the MONTHS months before `today`'s, oldest first."""
    first = today.replace(day=1)
    starts = []
    for _ in range(MONTHS):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        starts.append(first)
    return sorted(starts)


def _start_moment(rng, month_start, closed):
    day = calendar.next_business_day(month_start + dt.timedelta(days=rng.randint(0, 24)), closed=closed)
    return dt.datetime.combine(
        day, dt.time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))), calendar.LOCAL_TZ
    )


def _clock(rng, case, code, late_chance, started_at, now):
    spec = get_kind(code)
    due_at = spec.compute_due(started_at, case)
    allowed = due_at - started_at
    if rng.random() < late_chance:
        closed_at = due_at + dt.timedelta(days=rng.randint(1, 8), hours=rng.randint(1, 8))
        overdue_at = due_at + dt.timedelta(minutes=2)  # the sweep's flag, at its next run
    else:
        closed_at = started_at + allowed * rng.uniform(0.2, 0.95)
        overdue_at = None
    if closed_at >= now:
        return None
    return Deadline(
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=case.pk,
        kind=code,
        started_at=started_at,
        due_at=due_at,
        state=Deadline.State.MET,
        closed_at=closed_at,
        overdue_at=overdue_at,
    )


def seed_history(customer_user, rt_user):
    """Closed clocks for the demo customer's access requests over the last MONTHS months and this one."""
    now = timezone.now()
    today = timezone.localdate()
    cases = list(
        Case.objects.filter(customer=customer_user.customer, kind=CaseKind.ACCESS)
        .exclude(state=CaseState.DRAFT)
        .select_related("installation")
        .order_by("pk")
    )
    this_month = dt.datetime.combine(today.replace(day=1), dt.time(), calendar.LOCAL_TZ)
    history = Deadline.objects.of_model(Case).filter(
        subject_id__in=[case.pk for case in cases], closed_at__lt=this_month
    )
    if not cases or history.exists():
        return 0
    rng = random.Random(14)  # noqa: S311 — deterministic demo data, not security
    closed = closed_days()
    clocks = []
    # The current month too, up to now: the demo's own cases walked through every stage in seconds today.
    for month_start in [*history_months(today), today.replace(day=1)]:
        for case in cases:
            for code, chance, late_chance in HISTORY:
                if rng.random() >= chance:
                    continue
                clock = _clock(rng, case, code, late_chance, _start_moment(rng, month_start, closed), now)
                if clock is not None:
                    clocks.append(clock)
    Deadline.objects.bulk_create(clocks)
    return len(clocks)
