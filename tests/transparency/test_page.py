"""/transparencia/ (issue 14): public, answered from the last computation, the same figures in its CSV, and
nothing personal anywhere."""

import csv
import datetime as dt
import io
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from gdportal.transparency.figures import CSV_COLUMNS
from gdportal.transparency.models import TransparencySnapshot
from gdportal.transparency.services import transparency_compute
from tests.transparency.test_figures import NOW

pytestmark = pytest.mark.django_db


class _Tables(HTMLParser):
    """{(stage, month): [cell texts]} from the page's per-stage tables."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.stage, self.month, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.stage = attrs.get("data-stage") if attrs.get("data-testid") == "stage-table" else None
        elif tag == "tr" and self.stage and "data-month" in attrs:
            self.month = attrs["data-month"]
            self.rows[(self.stage, self.month)] = []
        elif tag in ("td", "th") and self.month:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.month:
            self.rows[(self.stage, self.month)].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr":
            self.month = None
        elif tag == "table":
            self.stage = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_tables(html):
    parser = _Tables()
    parser.feed(html)
    return parser.rows


@pytest.fixture
def computed(three_requests):
    with time_machine.travel(NOW, tick=False):
        transparency_compute()
    return three_requests


def get(client, name):
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse(name))


def test_the_figures_computed_by_hand_are_on_the_page(client, computed):
    html = get(client, "transparency:index").content.decode()
    rows = page_tables(html)
    # Month, cases, closed, median, p90, within, share, late, in progress, past the deadline.
    assert rows[("commercial", "2026-02")] == [
        "02/2026",
        "1",
        "1",
        "3,0",
        "3,0",
        "1",
        "100,0 %",
        "0",
        "—",
        "—",
    ]
    march = rows[("commercial", "2026-03")]
    assert march[0].startswith("03/2026 (")  # "(current month)"
    assert march[1:] == ["1", "1", "21,0", "21,0", "0", "0,0 %", "1", "1", "1"]
    assert 'data-testid="chart"' in html and "<svg" in html and "cdn" not in html.lower()


def test_the_csv_has_the_page_figures(client, computed):
    html = get(client, "transparency:index").content.decode()
    response = get(client, "transparency:csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    assert reader.fieldnames == CSV_COLUMNS
    lines = list(reader)
    tables = page_tables(html)
    assert {(line["stage"], line["month"]) for line in lines} == set(tables)
    for line in lines:
        cells = tables[(line["stage"], line["month"])]
        page_values = cells[1:]
        csv_values = [
            line[column]
            for column in (
                "cases",
                "closed",
                "median_days",
                "p90_days",
                "within_deadline",
                "within_deadline_pct",
                "late",
                "open",
                "open_overdue",
            )
        ]
        as_page = [
            "—" if value == "" else value.replace(".", ",") + (" %" if index == 5 else "")
            for index, value in enumerate(csv_values)
        ]
        assert page_values == as_page, (line["stage"], line["month"])
    march = next(line for line in lines if (line["stage"], line["month"]) == ("commercial", "2026-03"))
    assert (march["median_days"], march["within_deadline_pct"], march["open_overdue"]) == ("21.0", "0.0", "1")


def test_the_breaches_file_counts_per_month_and_clock(client, computed):
    lines = list(csv.DictReader(io.StringIO(get(client, "transparency:breaches_csv").content.decode())))
    commercial = {line["month"]: line["breaches"] for line in lines if line["clock"] == "commercial_sla"}
    # February: none (the late one closed in March); March: the late close and the open one past its date.
    assert commercial == {"2026-02": "0", "2026-03": "2"}


def test_nothing_personal_on_the_page_or_in_the_files(client, computed, customer):
    outputs = [
        get(client, name).content.decode()
        for name in ("transparency:index", "transparency:csv", "transparency:breaches_csv")
    ]
    outputs.append(str(TransparencySnapshot.objects.get().figures))
    for case in computed:
        secrets = [case.protocol, case.ns, case.holder_name, case.document, case.email, case.customer.name]
        secrets += [customer.email, customer.get_full_name()]
        for output in outputs:
            for secret in filter(None, secrets):
                assert secret not in output


def test_the_page_answers_from_the_snapshot_in_a_fixed_number_of_queries(
    client, computed, django_assert_max_num_queries, django_assert_num_queries
):
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(1):  # the newest snapshot, then it is cached
        assert get(client, "transparency:index").status_code == 200
    with django_assert_num_queries(0):
        assert get(client, "transparency:index").status_code == 200
        assert get(client, "transparency:csv").status_code == 200


def test_the_page_reads_only_the_newest_computation(client, computed, django_capture_on_commit_callbacks):
    from gdportal.deadlines.models import Deadline

    Deadline.objects.all().delete()  # not recomputed yet: the page still shows the last computation
    assert "21,0" in get(client, "transparency:index").content.decode()  # (and caches it)
    # The new figures replace the cached ones once committed.
    with (
        time_machine.travel(NOW + dt.timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("compute_transparency", stdout=io.StringIO())
    assert "21,0" not in get(client, "transparency:index").content.decode()


def test_before_the_first_computation_the_page_says_so_and_asks_for_it(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from gdportal.transparency import services

    queued = []
    original = services.publish_now
    services.publish_now = lambda task, *a, **k: queued.append(task.name) or True
    try:
        first = client.get(reverse("transparency:index"))
        second = client.get(reverse("transparency:index"))
        data = client.get(reverse("transparency:csv"))
    finally:
        services.publish_now = original
    assert first.status_code == 200 and 'data-testid="pending"' in first.content.decode()
    assert 'data-testid="pending"' in second.content.decode()
    assert queued == ["transparency.compute"]  # once, not once per visitor
    assert data.status_code == 503 and data["Retry-After"]


def test_the_task_computes_and_beat_runs_it(db, settings):
    from gdportal.celery import app
    from gdportal.transparency.tasks import compute_transparency

    compute_transparency.delay()
    assert TransparencySnapshot.objects.count() == 1
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "transparency.compute" in scheduled and "transparency.compute" in app.tasks


def test_the_landing_page_and_the_footer_link_to_it(client, db):
    html = client.get("/").content.decode()
    assert html.count(f'href="{reverse("transparency:index")}"') == 2  # the page's own link and the footer's


def test_only_get(client, db):
    assert client.post(reverse("transparency:index")).status_code == 405
