"""Business-day arithmetic for regulatory deadlines (REN 1.000 art. 656, SPEC §9).

Calendar days unless the rule says business days; the day of the event is excluded; a due date that falls on a
non-business day moves to the next business day. Non-business days: Saturdays, Sundays, national and Minas
Gerais holidays from the `holidays` package (including Carnaval and Corpus Christi, which it files under the
"optional" category), and the dates staff add in the admin (municipal holidays, pontos facultativos).

The module is pure: it never reads the database. The staff-closed days are a required `closed` argument (a
set of dates), so the caller decides where they come from (`NonWorkingDay.cached_dates()` for a real clock, a
literal set in a test) and a loop over many cases can read them once, not once per call.
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=64)
def _public_holidays(year):
    days = set(holidays.country_holidays("BR", subdiv="MG", years=year))
    # Carnaval (Monday and Tuesday) and Corpus Christi are "optional" in the package; the utility closes.
    # Names are matched in a fixed language: the package's default follows the machine's locale.
    optional = holidays.country_holidays(
        "BR", subdiv="MG", years=year, categories=("optional",), language="en_US"
    )
    days.update(day for day, name in optional.items() if name in ("Carnival", "Corpus Christi"))
    return frozenset(days)


def is_business_day(day, *, closed):
    if day.weekday() >= 5:
        return False
    if day in _public_holidays(day.year):
        return False
    return day not in closed


def next_business_day(day, *, closed):
    while not is_business_day(day, closed=closed):
        day += dt.timedelta(days=1)
    return day


def add_business_days(start_day, count, *, closed):
    """The date `count` business days after `start_day` (which itself is not counted)."""
    day = start_day
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day, closed=closed):
            remaining -= 1
    return day


def add_calendar_days(start_day, count, *, closed):
    """`count` calendar days after `start_day`; a due date on a non-business day moves to the next one."""
    return next_business_day(start_day + dt.timedelta(days=count), closed=closed)


def end_of_day(day):
    """Deadlines counted in days end when the due day ends, in the utility's time zone."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LOCAL_TZ)


def local_date(moment):
    return timezone.localtime(moment, LOCAL_TZ).date()


def subtract_business_days(day, count, *, closed):
    """The business day `count` business days before `day`."""
    remaining = count
    while remaining > 0:
        day -= dt.timedelta(days=1)
        if is_business_day(day, closed=closed):
            remaining -= 1
    return day


def local_time(moment):
    return timezone.localtime(moment, LOCAL_TZ).time()
