"""{% time_left clock %} — "faltam 3 dias úteis", "vencido há 2 dias" (gdportal.deadlines.time_left).

For a clock copied onto another row (an order's due date), `{% time_left due_at=… kind=… %}`.

{% clock_lines clocks as lines %} — what templates/atende/_clocks.html shows of each clock as of now, in plain
values: the template prints these, and a list row that keeps its rendered copy (the status list) is keyed by
the same values, so the copy and its key cannot disagree (gdportal/web/templatetags/fragments.py).
"""

from typing import NamedTuple

from django import template
from django.utils import timezone

from ..kinds import CALENDAR_DAYS, all_kinds
from ..models import Deadline, NonWorkingDay
from ..time_left import time_left as words

register = template.Library()


def _closed_days(request):
    """The staff-closed days, read once per request however many clocks the page shows."""
    if request is None:
        return NonWorkingDay.cached_dates()
    if not hasattr(request, "_gd_closed_days"):
        request._gd_closed_days = NonWorkingDay.cached_dates()
    return request._gd_closed_days


@register.simple_tag(takes_context=True)
def time_left(context, clock=None, *, due_at=None, kind=None):
    if clock is not None:
        due_at, kind = clock.due_at, clock.kind
    if due_at is None:
        return ""
    spec = all_kinds().get(kind)
    return words(
        due_at,
        counting=spec.counting if spec else CALENDAR_DAYS,
        now=timezone.now(),
        closed=lambda: _closed_days(context.get("request")),
        lapsed=clock is not None and clock.state == Deadline.State.LAPSED,
    )


class ClockLine(NamedTuple):
    label: str
    party: str
    state: str
    due_at: object
    left: str  # the time left in words, as of now
    overdue: bool  # lapsed, or past its due second
    paused_at: object
    pause_reason: str


@register.simple_tag(takes_context=True)
def clock_lines(context, clocks):
    now = timezone.now()
    closed = lambda: _closed_days(context.get("request"))  # noqa: E731 — read only if a clock counts business days
    lines, kinds = [], all_kinds()
    for clock in clocks:
        spec = kinds.get(clock.kind)
        lapsed = clock.state == Deadline.State.LAPSED
        left = words(
            clock.due_at,
            counting=spec.counting if spec else CALENDAR_DAYS,
            now=now,
            closed=closed,
            lapsed=lapsed,
        )
        lines.append(
            ClockLine(
                label=str(clock.label),
                party=str(clock.awaited_party),
                state=clock.state,
                due_at=clock.due_at,
                left=left,
                # As the template compared them: whole seconds since the epoch.
                overdue=lapsed or int(clock.due_at.timestamp()) < int(now.timestamp()),
                paused_at=clock.paused_at,
                pause_reason=clock.pause_reason,
            )
        )
    return tuple(lines)
