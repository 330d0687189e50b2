"""A clock's time left in words (SPEC §9, issue 10): "faltam 3 dias úteis", "faltam 5 horas", "vencido há 2
dias" — shown beside its date so nobody counts days on a calendar.

It counts as the clock does: business days for a business-day clock, calendar days for a calendar one, and
hours (then minutes) in the last day of any clock. Like the calendar it is pure: `now` and the staff-closed
days (`closed`, a set of dates, or a callable returning it, read only when a business-day count needs it) come
from the caller.
"""

import datetime as dt

from django.utils.translation import ngettext

from . import calendar
from .kinds import BUSINESS_DAYS

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def business_days_between(start_day, end_day, *, closed):
    """Business days after `start_day` up to and including `end_day` (0 if `end_day` is not later)."""
    count, day = 0, start_day
    while day < end_day:
        day += dt.timedelta(days=1)
        if calendar.is_business_day(day, closed=closed):
            count += 1
    return count


def _overdue(late):
    if late >= DAY:
        n = late.days
        return ngettext("overdue by %(n)d day", "overdue by %(n)d days", n) % {"n": n}
    if late >= HOUR:
        n = late // HOUR
        return ngettext("overdue by %(n)d hour", "overdue by %(n)d hours", n) % {"n": n}
    n = max(1, late // dt.timedelta(minutes=1))
    return ngettext("overdue by %(n)d minute", "overdue by %(n)d minutes", n) % {"n": n}


def time_left(due_at, *, counting, now, closed, lapsed=False):
    """The words for a clock due at `due_at` that counts in `counting` (registry.HOURS, BUSINESS_DAYS or
    CALENDAR_DAYS), as seen at `now`. A lapsed clock reads as overdue whatever the time."""
    if lapsed or now >= due_at:
        return _overdue(max(now - due_at, dt.timedelta(0)))
    left = due_at - now
    if left < DAY:
        if left >= HOUR:
            n = left // HOUR
            return ngettext("%(n)d hour left", "%(n)d hours left", n) % {"n": n}
        n = max(1, left // dt.timedelta(minutes=1))
        return ngettext("%(n)d minute left", "%(n)d minutes left", n) % {"n": n}
    today, due_day = calendar.local_date(now), calendar.local_date(due_at)
    if counting == BUSINESS_DAYS:
        n = business_days_between(today, due_day, closed=closed() if callable(closed) else closed)
        if n:
            return ngettext("%(n)d business day left", "%(n)d business days left", n) % {"n": n}
        # No business day left before the date (staff closed it after the clock started): count the days.
    n = max(1, (due_day - today).days)
    return ngettext("%(n)d day left", "%(n)d days left", n) % {"n": n}
