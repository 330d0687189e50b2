"""Every write to the clocks goes through here: the stages start and close them, the sweep lapses them."""

import datetime as dt

from django.utils import timezone

from . import calendar
from .kinds import HOURS, closed_days, get_kind, reminder_moments
from .models import Deadline
from .signals import clocks_changed


def _changed(model, subject_ids, kinds):
    clocks_changed.send(
        sender=Deadline, model=model._meta.concrete_model, subject_ids=list(subject_ids), kinds=kinds
    )


def deadline_start(*, subject, kind, started_at=None):
    """Open the clock `kind` for `subject` (a saved case, RT registration…) in the caller's transaction."""
    started_at = started_at or timezone.now()
    spec = get_kind(kind)
    due_at = spec.compute_due(started_at, subject)
    remind_2bd, remind_24h = reminder_moments(spec, started_at, due_at)
    clock = Deadline.objects.create(
        subject=subject,
        kind=kind,
        started_at=started_at,
        due_at=due_at,
        remind_2bd_at=remind_2bd,
        remind_24h_at=remind_24h,
    )
    _changed(type(subject), [subject.pk], [kind])
    return clock


def deadline_close(*, subject, kinds=None, state=Deadline.State.MET, at=None):
    """Close the subject's open clocks (all, or those of `kinds`) as met or cancelled."""
    qs = Deadline.objects.of(subject).filter(state=Deadline.State.OPEN)
    if kinds is not None:
        kinds = list(kinds)
        qs = qs.filter(kind__in=kinds)
    closed = qs.update(state=state, closed_at=at or timezone.now())
    if closed:
        _changed(type(subject), [subject.pk], kinds)
    return closed


def deadline_cancel_others(*, model, subject_ids, lapsing_kinds, at):
    """The sweep's bulk close: when clocks of `lapsing_kinds` lapse and move their subjects (expire them),
    the subjects' other open clocks stop with them — one UPDATE for the whole batch. The lapsing clocks (a
    subject has one open clock per kind) are left to the sweep, which marks them lapsed."""
    subject_ids = list(subject_ids)
    cancelled = (
        Deadline.objects.of_model(model)
        .filter(subject_id__in_array=set(subject_ids), state=Deadline.State.OPEN)
        .exclude(kind__in=list(lapsing_kinds))
        .update(state=Deadline.State.CANCELLED, closed_at=at)
    )
    if cancelled:
        _changed(model, subject_ids, None)
    return cancelled


def deadline_recompute(*, subject, kind):
    """Recompute the open clock `kind` from its own start, after a fact its length depends on changed (the
    parecer: 30 days instead of 15 once the studies find grid works, counted from the same Day 0)."""
    spec = get_kind(kind)
    for clock in Deadline.objects.of(subject).filter(state=Deadline.State.OPEN, kind=kind):
        clock.due_at = spec.compute_due(clock.started_at, subject)
        first, second = reminder_moments(spec, clock.started_at, clock.due_at)
        clock.remind_2bd_at, clock.remind_24h_at = first, second
        # A clock that is no longer overdue under its new date is not flagged as such.
        if clock.overdue_at and clock.due_at > timezone.now():
            clock.overdue_at = None
        clock.save(update_fields=["due_at", "remind_2bd_at", "remind_24h_at", "overdue_at"])
    _changed(type(subject), [subject.pk], [kind])


def deadline_pause(*, subject, kind, reason="", at=None):
    """Stop the count of an open clock (the parecer for an ONS consultation, REN 1.000 art. 64 §2; the
    validity while the utility's works are pending). A paused clock neither lapses nor reminds."""
    paused = (
        Deadline.objects.of(subject)
        .filter(state=Deadline.State.OPEN, kind=kind, paused_at__isnull=True)
        .update(paused_at=at or timezone.now(), pause_reason=reason)
    )
    if paused:
        _changed(type(subject), [subject.pk], [kind])
    return paused


def _shifted(moment, days, counting):
    if moment is None or not days:
        return moment
    moved = moment + dt.timedelta(days=days)
    if counting == HOURS:
        return moved
    # A day clock resumes "with the days left" and still ends on a business day (SPEC §9).
    day = calendar.next_business_day(calendar.local_date(moved), closed=closed_days())
    return dt.datetime.combine(day, calendar.local_time(moved), tzinfo=calendar.LOCAL_TZ)


def deadline_resume(*, subject, kind, at=None):
    """Resume a paused clock with the time it had left: its due date moves by the days it stood still."""
    at = at or timezone.now()
    spec = get_kind(kind)
    resumed = 0
    for clock in Deadline.objects.of(subject).filter(
        state=Deadline.State.OPEN, kind=kind, paused_at__isnull=False
    ):
        days = (calendar.local_date(at) - calendar.local_date(clock.paused_at)).days
        clock.due_at = _shifted(clock.due_at, days, spec.counting)
        clock.remind_2bd_at = _shifted(clock.remind_2bd_at, days, HOURS)
        clock.remind_24h_at = _shifted(clock.remind_24h_at, days, HOURS)
        clock.paused_days += days
        clock.paused_at, clock.pause_reason = None, ""
        clock.save(
            update_fields=[
                "due_at",
                "remind_2bd_at",
                "remind_24h_at",
                "paused_days",
                "paused_at",
                "pause_reason",
            ]
        )
        resumed += 1
    if resumed:
        _changed(type(subject), [subject.pk], [kind])
    return resumed
