"""Business-day counting over real dates (REN 1.000 art. 656, SPEC §9)."""

import datetime as dt

import pytest
from django.core.cache import cache

from gdportal.deadlines import calendar, kinds
from gdportal.deadlines.models import NonWorkingDay

D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "due", "why"),
    [
        (
            D(2027, 2, 5),
            2,
            D(2027, 2, 11),
            "Friday before Carnaval: Mon/Tue 8–9 Feb are holidays, Ash Wednesday counts",
        ),
        (D(2026, 11, 19), 2, D(2026, 11, 24), "Thursday before Consciência Negra (Fri 20) and the weekend"),
        (D(2026, 12, 23), 2, D(2026, 12, 28), "Christmas on Friday"),
        (D(2026, 4, 1), 3, D(2026, 4, 7), "Good Friday 3 April"),
        (D(2027, 5, 26), 1, D(2027, 5, 28), "Corpus Christi 27 May 2027"),
        (D(2026, 11, 20), 5, D(2026, 11, 27), "starting on a holiday: the event day is not counted"),
        (D(2026, 11, 23), 3, D(2026, 11, 26), "an ordinary week"),
    ],
)
def test_business_days(start, days, due, why):
    assert calendar.add_business_days(start, days, closed=frozenset()) == due, why


@pytest.mark.parametrize(
    ("start", "days", "lands", "due", "why"),
    [
        (D(2026, 11, 2), 30, D(2026, 12, 2), D(2026, 12, 2), "30 calendar days landing on a Wednesday"),
        (D(2026, 10, 29), 30, D(2026, 11, 28), D(2026, 11, 30), "lands on Saturday 28 Nov → Monday 30"),
        (D(2026, 10, 30), 30, D(2026, 11, 29), D(2026, 11, 30), "lands on Sunday 29 Nov → Monday 30"),
        (
            D(2026, 11, 5),
            15,
            D(2026, 11, 20),
            D(2026, 11, 23),
            "lands on Friday 20 Nov (holiday) → Monday 23",
        ),
        (D(2026, 12, 10), 15, D(2026, 12, 25), D(2026, 12, 28), "lands on Friday 25 Dec → Monday 28"),
        (D(2027, 1, 9), 30, D(2027, 2, 8), D(2027, 2, 10), "lands on Monday 8 Feb (Carnaval) → Wednesday 10"),
    ],
)
def test_calendar_days_move_to_the_next_business_day(start, days, lands, due, why):
    # The row says where the count lands and the label names that weekday, so a case cannot claim a Sunday
    # its dates never reach.
    assert start + dt.timedelta(days=days) == lands, why
    assert lands == due or lands.strftime("%A") in why, why
    assert calendar.add_calendar_days(start, days, closed=frozenset()) == due, why


def test_closed_days_are_not_business_days():
    assert calendar.add_business_days(D(2026, 12, 7), 1, closed=frozenset()) == D(2026, 12, 8)
    assert calendar.add_business_days(D(2026, 12, 7), 1, closed={D(2026, 12, 8)}) == D(2026, 12, 9)
    assert calendar.add_calendar_days(D(2026, 11, 7), 31, closed={D(2026, 12, 8)}) == D(2026, 12, 9)
    assert calendar.subtract_business_days(D(2026, 12, 9), 1, closed={D(2026, 12, 8)}) == D(2026, 12, 7)


def test_clocks_count_the_days_staff_close_in_the_admin(db):
    """The registry reads the staff days and hands them to the calendar: adding one moves a due date."""
    started = dt.datetime(2026, 12, 7, 10, tzinfo=calendar.LOCAL_TZ)
    one_business_day = kinds.business_days(1)
    assert calendar.local_date(one_business_day(started, None)) == D(2026, 12, 8)
    NonWorkingDay.objects.create(date=D(2026, 12, 8), description="Imaculada Conceição (Belo Horizonte)")
    assert calendar.local_date(one_business_day(started, None)) == D(2026, 12, 9)
    remind_2bd, _ = kinds.reminder_times(started, calendar.end_of_day(D(2026, 12, 11)))
    assert calendar.local_date(remind_2bd) == D(2026, 12, 9)  # Fri 11 − 2 business days, Tue 8 closed
    NonWorkingDay.objects.get().delete()
    assert calendar.local_date(one_business_day(started, None)) == D(2026, 12, 8)


def test_the_calendar_never_reads_the_database(db, django_assert_num_queries):
    """Counting days in a loop over many cases must not cost a query per call: the closed days are given."""
    NonWorkingDay.objects.create(date=D(2026, 12, 8), description="Imaculada Conceição (Belo Horizonte)")
    cache.delete(NonWorkingDay.CACHE_KEY)
    with django_assert_num_queries(0):
        calendar.add_business_days(D(2026, 12, 7), 5, closed=frozenset())
        calendar.add_calendar_days(D(2026, 12, 7), 30, closed=frozenset())
        calendar.next_business_day(D(2026, 12, 5), closed=frozenset())
        calendar.is_business_day(D(2026, 12, 8), closed=frozenset())
        calendar.subtract_business_days(D(2026, 12, 11), 2, closed=frozenset())
    # Leaving the closed days out is an error, not a silent read of the table.
    for call in (
        lambda: calendar.add_business_days(D(2026, 12, 7), 5),
        lambda: calendar.add_calendar_days(D(2026, 12, 7), 30),
        lambda: calendar.next_business_day(D(2026, 12, 5)),
        lambda: calendar.is_business_day(D(2026, 12, 8)),
        lambda: calendar.subtract_business_days(D(2026, 12, 11), 2),
    ):
        with pytest.raises(TypeError):
            call()


def test_subtracting_business_days():
    assert calendar.subtract_business_days(D(2027, 2, 11), 2, closed=frozenset()) == D(2027, 2, 5)


def test_day_deadlines_end_when_the_local_day_ends():
    end = calendar.end_of_day(D(2026, 11, 24))
    assert end.isoformat() == "2026-11-24T23:59:59-03:00"
