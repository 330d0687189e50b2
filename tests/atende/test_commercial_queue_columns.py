"""The commercial queue at a laptop's width (issue 10, item 19): the deadline comes right after the protocol,
with its time left, and the other columns are short (the browser test is tests/e2e/test_staff_queues.py)."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from gdportal.deadlines import calendar
from gdportal.deadlines.models import NonWorkingDay
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=calendar.LOCAL_TZ)


def headers(html):
    head = html[html.index('id="result_list"') :]
    head = head[: head.index("</thead>")]
    return [re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]


def test_the_deadline_comes_second_with_its_time_left(client, commercial_analyst, customer, installation):
    with time_machine.travel(MONDAY, tick=False):
        make_case(customer, installation)
        make_case(customer, installation, kind="consultation")
        client.force_login(commercial_analyst)
        html = client.get(reverse("admin:atende_commercialqueue_changelist")).content.decode()
    columns = headers(html)
    assert columns[:2] == ["Protocolo", "Prazo"] and len(columns) <= 6, columns
    assert "30/11/2026 23:59<br><small>(faltam 5 dias úteis)</small>" in html
    assert (
        "Micro ≤ 10 kW" in html
        and "Microgeração com potência" not in html.split("</thead>")[1].split("</table>")[0]
    )
    assert "Consulta de acesso" in html


def test_an_overdue_deadline_says_by_how_much(client, commercial_analyst, customer, installation):
    with time_machine.travel(MONDAY, tick=False):
        make_case(customer, installation)
    with time_machine.travel(MONDAY + dt.timedelta(days=9, hours=2), tick=False):
        client.force_login(commercial_analyst)
        html = client.get(reverse("admin:atende_commercialqueue_changelist")).content.decode()
    assert (
        '<strong class="queue-overdue">30/11/2026 23:59</strong><br><small>(vencido há 1 dia)</small>' in html
    )


def test_the_closed_days_are_read_once_per_page_even_with_the_cache_down(
    client, commercial_analyst, customer, installation, django_assert_max_num_queries, monkeypatch
):
    # The cache answers nothing (Redis down): every read of the closed days goes to the table.
    monkeypatch.setattr("gdportal.deadlines.models.cache_get_or_set", lambda key, compute, timeout: compute())
    NonWorkingDay.objects.create(date=dt.date(2026, 11, 24), description="Feriado municipal")
    with time_machine.travel(MONDAY, tick=False):
        for _ in range(3):
            make_case(customer, installation)
        client.force_login(commercial_analyst)
        url = reverse("admin:atende_commercialqueue_changelist")
        client.get(url)
        with django_assert_max_num_queries(100) as few:
            html = client.get(url).content.decode()
        for _ in range(5):
            make_case(customer, installation)
        with django_assert_max_num_queries(len(few.captured_queries)):
            more = client.get(url).content.decode()
    assert html.count("(faltam 5 dias úteis)") == 3 and more.count("(faltam 5 dias úteis)") == 8
