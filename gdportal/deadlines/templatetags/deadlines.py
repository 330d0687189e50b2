"""{% time_left clock %} — "faltam 3 dias úteis", "vencido há 2 dias" (gdportal.deadlines.time_left).

For a clock copied onto another row (an order's due date), `{% time_left due_at=… kind=… %}`.
"""

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
