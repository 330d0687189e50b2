from django.utils import timezone

from .models import Deadline
from .registry import get_kind, reminder_times


def deadline_start(*, case, kind, started_at=None):
    """Open the clock `kind` for `case` (call inside the transition's transaction)."""
    started_at = started_at or timezone.now()
    spec = get_kind(kind)
    due_at = spec.compute_due(started_at, case)
    remind_2bd, remind_24h = (
        reminder_times(started_at, due_at) if spec.enforcing and spec.reminders else (None, None)
    )
    return Deadline.objects.create(
        case=case,
        kind=kind,
        started_at=started_at,
        due_at=due_at,
        remind_2bd_at=remind_2bd,
        remind_24h_at=remind_24h,
    )


def deadline_close(*, case, kinds=None, state=Deadline.State.MET, at=None):
    """Close the case's open clocks (all, or those of `kinds`) as met or cancelled."""
    qs = Deadline.objects.filter(case=case, state=Deadline.State.OPEN)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return qs.update(state=state, closed_at=at or timezone.now())
