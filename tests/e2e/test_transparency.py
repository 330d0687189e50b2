"""Issue 14 in a real browser: a newcomer follows the landing page's link to /transparencia/ and finds the
demo's months of history — tables, the chart and the CSV — with nothing blocking for axe-core."""

import csv
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from demo.transparency import history_months
from tests.e2e.test_accessibility import violations


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe is injected as a script, which the portal's CSP refuses (as test_accessibility does).
    return {**browser_context_args, "bypass_csp": True, "accept_downloads": True}


def demo_months():
    """'aaaa-mm' of the months of the demo's history (demo/transparency.py)."""
    return [f"{first:%Y-%m}" for first in history_months(timezone.localdate())]


def test_the_transparency_page_shows_the_demo_months(live_server, page, demo):
    base = live_server.url
    page.goto(base + "/")
    page.get_by_test_id("transparency-link").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url == base + "/transparencia/"

    commercial = page.locator("[data-testid=stage-table][data-stage=commercial]")
    for key in demo_months():
        year, month = key.split("-")
        row = commercial.locator(f"tr[data-month='{key}']")
        expect(row.locator("th")).to_contain_text(f"{month}/{year}")
    closed = [int(text) for text in commercial.locator("tbody tr td:nth-child(3)").all_inner_texts()]
    assert sum(closed) > 0
    expect(page.get_by_test_id("chart").locator("svg")).to_be_visible()
    assert page.get_by_test_id("chart-bar").count() > 0
    expect(page.get_by_test_id("method")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_test_id("exports").get_by_role("link").first.click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert {row["month"] for row in rows} >= set(demo_months())
    assert sum(int(row["closed"]) for row in rows if row["stage"] == "commercial") == sum(closed)

    page.goto(base + "/transparencia/")
    assert violations(page) == []
