"""The kinds of clock. Each stage registers its own next to the code that starts it; the engine stays."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from . import calendar
from .models import NonWorkingDay

# How a clock counts its length (SPEC §9), which is also how its time left reads ("faltam 3 dias úteis").
HOURS = "hours"
BUSINESS_DAYS = "business_days"
CALENDAR_DAYS = "calendar_days"


@dataclass(frozen=True)
class DeadlineKind:
    code: str
    label: object  # lazy translation: what is awaited
    party: object  # lazy translation: from whom
    compute_due: Callable  # (started_at: datetime, subject) -> datetime
    enforcing: bool = False  # lapsing moves the subject; otherwise it only flags a staff SLA as overdue
    # Called by the sweep, inside its transaction, with the due rows of this kind ([{id, kind,
    # subject_type_id, subject_id}], now); it returns the ids of the subjects it could lock, and only their
    # clocks are lapsed (the rest wait a run). It may cancel the subjects' other open clocks
    # (services.deadline_cancel_others).
    on_lapse: Callable | None = None
    reminders: bool = True  # enforcing clocks warn 2 business days and 24 hours before (SPEC §8)
    staff_role: str | None = None  # for a staff SLA: the group whose board and digest show it
    # A kind with reminders of its own (the parecer's validity, the GFC's expiry: 30 and 7 days before):
    # (started_at, due_at) -> (first, second) moments, each None or after the start — enforcing or not —, and
    # the e-mail templates of the first and the second. They use the clock's two reminder columns.
    remind: Callable | None = None
    reminder_templates: tuple = ("deadline_reminder_2bd", "deadline_reminder_24h")
    # Who the reminders go to when not the subject's own people (the GFC's: the customer and the commercial
    # group): (subject) -> [e-mail].
    recipients: Callable | None = None
    # The stage of the public transparency page this clock's time counts in (gdportal.transparency.stages:
    # COMMERCIAL, APR_DOCUMENTS, TECHNICAL, PARECER, INSPECTION); None keeps it off the page.
    public_stage: str | None = None
    # Called by the sweep, inside its transaction, with the rows of this kind it has just flagged overdue (a
    # staff SLA) and now: the utility's compensable clocks record their breach here (SPEC §9). Runs once per
    # clock: a flagged row is never claimed again.
    on_overdue: Callable | None = None

    @property
    def counting(self):
        """HOURS, BUSINESS_DAYS or CALENDAR_DAYS: the helpers below mark their functions; a kind with its own
        function (the parecer's) counts calendar days unless it says otherwise."""
        return getattr(self.compute_due, "counting", CALENDAR_DAYS)


_KINDS: dict[str, DeadlineKind] = {}


def register(kind):
    _KINDS[kind.code] = kind
    return kind


def get_kind(code):
    return _KINDS[code]


def all_kinds():
    return dict(_KINDS)


def _count(setting_name_or_count):
    if isinstance(setting_name_or_count, str):
        return getattr(settings, setting_name_or_count)
    return setting_name_or_count


def closed_days():
    """The dates staff closed in the admin, for the calendar (which never reads the database itself)."""
    return NonWorkingDay.cached_dates()


def counting(unit):
    """Mark a kind's own `compute_due` with how it counts (HOURS, BUSINESS_DAYS…), for its time left."""

    def mark(compute):
        compute.counting = unit
        return compute

    return mark


_counting = counting


def hours(setting_name):
    @_counting(HOURS)
    def compute(started_at, subject):
        return started_at + dt.timedelta(hours=getattr(settings, setting_name))

    return compute


def business_days(setting_name_or_count):
    @_counting(BUSINESS_DAYS)
    def compute(started_at, subject):
        day = calendar.add_business_days(
            calendar.local_date(started_at), _count(setting_name_or_count), closed=closed_days()
        )
        return calendar.end_of_day(day)

    return compute


def calendar_days(setting_name_or_count):
    @_counting(CALENDAR_DAYS)
    def compute(started_at, subject):
        day = calendar.add_calendar_days(
            calendar.local_date(started_at), _count(setting_name_or_count), closed=closed_days()
        )
        return calendar.end_of_day(day)

    return compute


def days_before(*counts):
    """Reminders `counts` calendar days before the due moment (the parecer's validity: 30 and 7)."""

    def remind(started_at, due_at):
        moments = [due_at - dt.timedelta(days=n) for n in counts]
        return tuple(moment if moment > started_at else None for moment in moments)

    return remind


def reminder_moments(spec, started_at, due_at):
    """(first, second) reminder moments of a new clock of `spec`; (None, None) for a kind without them."""
    if spec.remind is not None:
        return spec.remind(started_at, due_at)
    if spec.enforcing and spec.reminders:
        return reminder_times(started_at, due_at)
    return None, None


def reminder_times(started_at, due_at):
    """(2 business days before, 24 hours before) the lapse; None where that moment is not after the start."""
    two_bd_day = calendar.subtract_business_days(calendar.local_date(due_at), 2, closed=closed_days())
    two_bd = dt.datetime.combine(two_bd_day, calendar.local_time(due_at), tzinfo=calendar.LOCAL_TZ)
    day_before = due_at - dt.timedelta(hours=24)
    return (two_bd if two_bd > started_at else None, day_before if day_before > started_at else None)
