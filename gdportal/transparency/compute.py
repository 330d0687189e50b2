"""The transparency figures (SPEC §14, §9), computed from the clock rows alone — no case, no person (the
reasons of pendências and refusals, SPEC §15, are counted apart in reasons.py).

Per month and per stage (stages.py): how many cases had a clock of the stage close that month, how many clocks
closed, the median and 90th-percentile time they took, and how many closed within their regulatory deadline.
Then what is still running now, and the breaches per month and clock.

- Month: the month the clock closed, in America/Sao_Paulo. Met and lapsed clocks count; cancelled ones (the
  case was withdrawn or expired while the clock ran) measured nothing and do not.
- Time: closed_at − started_at in calendar days with their fraction, less the days the clock stood paused
  (an ONS consultation, SPEC §9) — for every clock, even those whose deadline counts business days.
- Within the deadline: closed_at ≤ due_at. A paused clock's due_at already moved by its pause, and one whose
  length changed (the parecer's 15 → 30 days once works are found) was recomputed from its own start.
- Open: the clocks running at the computation, per stage (distinct cases) and, for the utility's clocks, how
  many are past their due date without a pause; those count among the current month's breaches.
- Breaches per month and clock (SPEC §9): the utility's clocks that closed that month after their due date,
  plus, in the current month, those still open past it.

It is a handful of aggregate queries, whatever the number of rows: GROUP BY month and stage, with
PostgreSQL's percentile_cont for the median and the 90th percentile. SQLite has no percentile function, so
there the times are read ordered by month and stage and the percentiles taken one group at a time in Python,
by the same definition (linear interpolation between the closest ranks).
"""

import datetime as dt
import math

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gdportal.deadlines.calendar import LOCAL_TZ
from gdportal.deadlines.models import Deadline

from . import stages
from .reasons import reason_figures

VERSION = 1
CLOSED = (Deadline.State.MET, Deadline.State.LAPSED)
SECONDS_PER_DAY = 86400.0


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction):
        # A literal in the SQL, formatted here from a float: never user input.
        super().__init__(expression, fraction=f"{float(fraction):.4f}")


class _EpochDays(Func):
    """An interval in days with their fraction (PostgreSQL)."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)::float8"
    output_field = FloatField()


def percentile_cont(ordered, fraction):
    """percentile_cont over an ascending list: linear interpolation between the closest ranks."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def month_keys(now, count):
    """The `count` months up to `now`'s (São Paulo), oldest first, as 'aaaa-mm'."""
    local = timezone.localtime(now, LOCAL_TZ)
    year, month = local.year, local.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return keys[::-1]


def _month_start(key):
    year, month = (int(part) for part in key.split("-"))
    return dt.datetime(year, month, 1, tzinfo=LOCAL_TZ)


def _month_key(value):
    return f"{timezone.localtime(value, LOCAL_TZ):%Y-%m}"


def _stage_expression(mapping):
    return Case(
        *[When(kind__in=codes, then=Value(stage)) for stage, codes in mapping.items() if codes],
        default=Value(""),
        output_field=CharField(),
    )


def _days(elapsed, paused_days):
    return max(elapsed.total_seconds() / SECONDS_PER_DAY - (paused_days or 0), 0.0)


def _round(value, places=1):
    return None if value is None else round(float(value), places)


def _closed_stats(closed, stage, month):
    """{(month, stage): {cases, closed, within, median, p90}} — one query on PostgreSQL, two elsewhere."""
    grouped = closed.annotate(month=month, stage=stage).values("month", "stage").order_by()
    postgres = connection.vendor == "postgresql"
    aggregates = {
        "n_closed": Count("id"),
        "n_cases": Count("subject_id", distinct=True),
        "n_within": Count("id", filter=Q(closed_at__lte=F("due_at"))),
    }
    if postgres:
        days = ExpressionWrapper(
            _EpochDays(ExpressionWrapper(F("closed_at") - F("started_at"), output_field=DurationField()))
            - F("paused_days"),
            output_field=FloatField(),
        )
        aggregates["median"] = PercentileCont(days, 0.5)
        aggregates["p90"] = PercentileCont(days, 0.9)
    stats = {}
    for row in grouped.annotate(**aggregates):
        median, p90 = row.get("median"), row.get("p90")
        stats[(_month_key(row["month"]), row["stage"])] = {
            "cases": row["n_cases"],
            "closed": row["n_closed"],
            "within": row["n_within"],
            # A negative time (more paused days than elapsed, a data fix) counts as none.
            "median": None if median is None else max(median, 0.0),
            "p90": None if p90 is None else max(p90, 0.0),
        }
    if not postgres:
        _percentiles_in_python(closed, stage, month, stats)
    return stats


def _percentiles_in_python(closed, stage, month, stats):
    """The portable path: times streamed in (month, stage) order, one group's list in memory at a time."""
    rows = (
        closed.annotate(
            month=month,
            stage=stage,
            elapsed=ExpressionWrapper(F("closed_at") - F("started_at"), output_field=DurationField()),
        )
        .values_list("month", "stage", "elapsed", "paused_days")
        .order_by("month", "stage")
    )

    def flush(key, values):
        if key is not None and key in stats:
            values.sort()
            stats[key]["median"] = percentile_cont(values, 0.5)
            stats[key]["p90"] = percentile_cont(values, 0.9)

    current, values = None, []
    for month_value, stage_code, elapsed, paused_days in rows.iterator(chunk_size=10_000):
        key = (_month_key(month_value), stage_code)
        if key != current:
            flush(current, values)
            current, values = key, []
        values.append(_days(elapsed, paused_days))
    flush(current, values)


def compute_figures(*, now=None, months=None):
    """The figures as JSON-ready data (the snapshot's `figures`); see the module's docstring."""
    now = now or timezone.now()
    keys = month_keys(now, months or settings.GD_TRANSPARENCY_MONTHS)
    since = _month_start(keys[0])
    mapping = stages.kinds_by_stage()
    mapped = [code for codes in mapping.values() for code in codes]
    utility = stages.utility_kinds()
    stage = _stage_expression(mapping)
    month = TruncMonth("closed_at", tzinfo=LOCAL_TZ)
    closed = Deadline.objects.filter(
        state__in=CLOSED, kind__in=mapped, closed_at__gte=since, closed_at__lte=now
    )

    stats = _closed_stats(closed, stage, month)

    late = {
        (_month_key(row["month"]), row["kind"]): row["n"]
        for row in closed.filter(kind__in=utility, closed_at__gt=F("due_at"))
        .annotate(month=month)
        .values("month", "kind")
        .order_by()
        .annotate(n=Count("id"))
    }
    running = Deadline.objects.filter(state=Deadline.State.OPEN, kind__in=mapped)
    overdue = Q(due_at__lt=now, paused_at__isnull=True)
    open_by_stage = {
        row["stage"]: row
        for row in running.annotate(stage=stage)
        .values("stage")
        .order_by()
        .annotate(
            n_cases=Count("subject_id", distinct=True),
            n_overdue=Count("subject_id", filter=overdue, distinct=True),
        )
    }
    open_overdue_by_kind = {
        row["kind"]: row["n"]
        for row in running.filter(overdue, kind__in=utility).values("kind").order_by().annotate(n=Count("id"))
    }

    stage_figures = []
    for spec in stages.STAGES:
        rows = []
        for key in keys:
            found = stats.get((key, spec.code))
            closed_count = found["closed"] if found else 0
            within = found["within"] if found else 0
            rows.append(
                {
                    "month": key,
                    "cases": found["cases"] if found else 0,
                    "closed": closed_count,
                    "median_days": _round(found["median"]) if found else None,
                    "p90_days": _round(found["p90"]) if found else None,
                    "within": within if spec.utility else None,
                    "within_pct": (
                        _round(100.0 * within / closed_count) if spec.utility and closed_count else None
                    ),
                    "late": closed_count - within if spec.utility else None,
                }
            )
        running_now = open_by_stage.get(spec.code)
        stage_figures.append(
            {
                "stage": spec.code,
                "party": spec.party,
                "kinds": mapping[spec.code],
                "open": running_now["n_cases"] if running_now else 0,
                "open_overdue": (running_now["n_overdue"] if running_now else 0) if spec.utility else None,
                "months": rows,
            }
        )

    breaches = []
    for key in keys:
        counts = {kind: late.get((key, kind), 0) for kind in utility}
        if key == keys[-1]:
            for kind in utility:
                counts[kind] += open_overdue_by_kind.get(kind, 0)
        breaches.append({"month": key, "counts": counts, "total": sum(counts.values())})

    return {
        "version": VERSION,
        "computed_at": now.isoformat(),
        "months": keys,
        "stages": stage_figures,
        "breach_kinds": utility,
        "breaches": breaches,
        # Pendências and refusals per reason and the "fato novo" count (SPEC §15): reasons.py.
        "reasons": reason_figures(since=since, now=now, keys=keys),
    }
