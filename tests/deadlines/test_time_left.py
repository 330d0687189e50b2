"""Every clock reads in relative terms too (issue 10, item 10): "até 27/11/2026 23:59 (faltam 3 dias úteis)".
Counted as the clock counts: business days for a business-day clock, hours in its last day, "vencido há"
once it lapsed."""

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from gdportal.deadlines import calendar
from gdportal.deadlines.kinds import BUSINESS_DAYS, CALENDAR_DAYS, HOURS, get_kind
from gdportal.deadlines.time_left import time_left

TZ = calendar.LOCAL_TZ
# Monday 23/11/2026, 10:00 in Belo Horizonte.
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=TZ)


def words(due_at, counting, now=MONDAY, closed=frozenset(), lapsed=False):
    with translation.override("pt-br"):
        return time_left(due_at, counting=counting, now=now, closed=closed, lapsed=lapsed)


def test_business_days_skip_the_weekend():
    # Due Thursday 23:59: Tuesday, Wednesday, Thursday.
    assert words(calendar.end_of_day(dt.date(2026, 11, 26)), BUSINESS_DAYS) == "faltam 3 dias úteis"
    # Due next Monday: Tue–Fri and Monday; Saturday and Sunday do not count.
    assert words(calendar.end_of_day(dt.date(2026, 11, 30)), BUSINESS_DAYS) == "faltam 5 dias úteis"
    # The same date counted in calendar days.
    assert words(calendar.end_of_day(dt.date(2026, 11, 30)), CALENDAR_DAYS) == "faltam 7 dias"


def test_business_days_skip_holidays_and_the_days_staff_closed():
    # Friday 20/11/2026 is Consciência Negra (national holiday): from Wednesday 18th, due Monday 23rd.
    wednesday = dt.datetime(2026, 11, 18, 9, 0, tzinfo=TZ)
    due = calendar.end_of_day(dt.date(2026, 11, 23))
    assert words(due, BUSINESS_DAYS, now=wednesday) == "faltam 2 dias úteis"  # Thursday and Monday
    assert words(due, BUSINESS_DAYS, now=wednesday, closed={dt.date(2026, 11, 19)}) == "falta 1 dia útil"


def test_the_last_day_reads_in_hours_then_minutes():
    assert words(MONDAY + dt.timedelta(hours=5, minutes=40), BUSINESS_DAYS) == "faltam 5 horas"
    assert words(MONDAY + dt.timedelta(hours=1), HOURS) == "falta 1 hora"
    assert words(MONDAY + dt.timedelta(minutes=25), CALENDAR_DAYS) == "faltam 25 minutos"
    # A 24-hour clock: a day and a bit left reads in days.
    assert words(MONDAY + dt.timedelta(hours=30), HOURS) == "falta 1 dia"


def test_a_lapsed_clock_reads_overdue():
    assert words(MONDAY - dt.timedelta(days=2, hours=3), BUSINESS_DAYS) == "vencido há 2 dias"
    assert words(MONDAY - dt.timedelta(hours=5), CALENDAR_DAYS) == "vencido há 5 horas"
    assert words(MONDAY - dt.timedelta(minutes=1), HOURS) == "vencido há 1 minuto"
    # The sweep lapsed it a moment ago: overdue even if the instant is the due one.
    assert words(MONDAY, HOURS, lapsed=True) == "vencido há 1 minuto"


def test_the_kinds_say_how_they_count():
    assert get_kind("apr_register").counting == HOURS
    assert get_kind("apr_submit").counting == BUSINESS_DAYS
    assert get_kind("correction").counting == CALENDAR_DAYS
    assert get_kind("technical_sla").counting == BUSINESS_DAYS
    assert get_kind("parecer_sla").counting == CALENDAR_DAYS


@pytest.mark.django_db
def test_the_customer_reads_the_time_left(client, customer, installation):
    from django.urls import reverse

    from tests.atende.conftest import make_case

    with time_machine.travel(MONDAY, tick=False):
        case = make_case(customer, installation)  # filed Monday 10:00: the commercial check, 5 business days
        client.force_login(customer)
        html = client.get(reverse("atende:status_detail", args=[case.protocol])).content.decode()
    assert "até <time" in html and "30/11/2026 23:59</time>" in html
    assert "(faltam 5 dias úteis)" in html
    with time_machine.travel(dt.datetime(2026, 12, 2, 12, 0, tzinfo=TZ), tick=False):
        client.force_login(customer)  # a new session: the one from Monday expired
        html = client.get(reverse("atende:status_detail", args=[case.protocol])).content.decode()
    assert "(vencido há 1 dia)" in html
