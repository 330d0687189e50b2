"""Every write to the clocks goes through here: the stages start and close them, the sweep lapses them."""

from django.utils import timezone

from .kinds import get_kind, reminder_times
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
    remind_2bd, remind_24h = (
        reminder_times(started_at, due_at) if spec.enforcing and spec.reminders else (None, None)
    )
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
        .filter(subject_id__in=subject_ids, state=Deadline.State.OPEN)
        .exclude(kind__in=list(lapsing_kinds))
        .update(state=Deadline.State.CANCELLED, closed_at=at)
    )
    if cancelled:
        _changed(model, subject_ids, None)
    return cancelled
