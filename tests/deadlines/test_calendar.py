"""Business-day counting over real dates (REN 1.000 art. 656, SPEC §9)."""

import datetime as dt

import pytest

from gdportal.deadlines import calendar
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
def test_business_days(db, start, days, due, why):
    assert calendar.add_business_days(start, days) == due, why


@pytest.mark.parametrize(
    ("start", "days", "due", "why"),
    [
        (D(2026, 11, 2), 30, D(2026, 12, 2), "30 calendar days landing on a Wednesday"),
        (D(2026, 10, 31), 30, D(2026, 11, 30), "lands on Sunday 30 Nov? no: 30 Nov 2026 is a Monday"),
        (D(2026, 11, 5), 15, D(2026, 11, 20 + 3), "lands on Friday 20 Nov (holiday) → Monday 23"),
        (D(2026, 12, 10), 15, D(2026, 12, 28), "lands on Friday 25 Dec → Monday 28"),
        (D(2027, 1, 9), 30, D(2027, 2, 10), "lands on Monday 8 Feb (Carnaval) → Wednesday 10"),
    ],
)
def test_calendar_days_move_to_the_next_business_day(db, start, days, due, why):
    assert calendar.add_calendar_days(start, days) == due, why


def test_staff_days_are_not_business_days(db):
    assert calendar.add_business_days(D(2026, 12, 7), 1) == D(2026, 12, 8)
    NonWorkingDay.objects.create(date=D(2026, 12, 8), description="Imaculada Conceição (Belo Horizonte)")
    assert calendar.add_business_days(D(2026, 12, 7), 1) == D(2026, 12, 9)
    NonWorkingDay.objects.get().delete()
    assert calendar.add_business_days(D(2026, 12, 7), 1) == D(2026, 12, 8)


def test_subtracting_business_days(db):
    assert calendar.subtract_business_days(D(2027, 2, 11), 2) == D(2027, 2, 5)


def test_day_deadlines_end_when_the_local_day_ends():
    end = calendar.end_of_day(D(2026, 11, 24))
    assert end.isoformat() == "2026-11-24T23:59:59-03:00"
