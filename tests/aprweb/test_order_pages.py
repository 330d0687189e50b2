"""Order search pages (SPEC §5.5): keyset pages that seek past the last row shown instead of counting rows
off with OFFSET, so page 4,000 of a million orders costs what page 1 costs."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aprweb.models import AprOrder
from aprweb.search import SORTS, Cursor, KeysetPage, search_orders
from gdportal.cases.choices import CaseState
from tests.aprweb.conftest import build_order
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db

ORDER_LINK = re.compile(r'href="/apr/pedidos/(\d+)/"')
NEXT_LINK = re.compile(r'href="\?([^"]*after=[^"]*)">Próxima<')
PREVIOUS_LINK = re.compile(r'href="\?([^"]*before=[^"]*)">Anterior<')
UNSENT = 30  # more than a page: a page boundary falls among the undated orders in both directions
SENT = 35


@pytest.fixture
def orders(rt, rt_registration, customer, installation):
    """65 orders of the RT: 30 not sent yet (no date), 35 sent with ties (ten at the same instant), and
    protocols and names that repeat, so every sort has ties the id must break."""
    first = build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
    noon = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
    copies = []
    for n in range(1, UNSENT + SENT):
        order = AprOrder.objects.get(pk=first.pk)
        order.pk = None
        order.round = n + 1
        order.protocol = f"2026{n % 7:09d}"
        order.customer_name = f"Cliente {n % 5}"
        if n >= UNSENT:
            k = n - UNSENT
            order.submitted_at = noon if k < 10 else noon + dt.timedelta(minutes=k * 7 % 23, microseconds=k)
        # Deadlines with ties and a third without one (Cemig's turn), spread over the pages.
        order.due_at = None if n % 3 == 0 else noon + dt.timedelta(hours=n % 4)
        copies.append(order)
    AprOrder.objects.bulk_create(copies)
    assert AprOrder.objects.filter(submitted_at__isnull=True).count() == UNSENT
    return list(AprOrder.objects.all())


def expected(orders, sort):
    """The visible order, written out by hand: unsent orders first when newest first, last when oldest
    first."""
    if sort == "-submitted_at":
        unsent = sorted((o for o in orders if o.submitted_at is None), key=lambda o: -o.pk)
        sent = sorted(
            (o for o in orders if o.submitted_at), key=lambda o: (o.submitted_at, o.pk), reverse=True
        )
        return [o.pk for o in unsent + sent]
    if sort in ("submitted_at", "due_at"):
        # Oldest sent, or most urgent, first: the rows without a date last.
        dated = sorted((o for o in orders if getattr(o, sort)), key=lambda o: (getattr(o, sort), o.pk))
        undated = sorted((o for o in orders if getattr(o, sort) is None), key=lambda o: o.pk)
        return [o.pk for o in dated + undated]
    return [o.pk for o in sorted(orders, key=lambda o: (getattr(o, sort), o.pk))]


def follow(client, html, link):
    """Click the page link `link` matches in `html` (the query string as the browser would unescape it)."""
    found = link.search(html)
    if not found:
        return None
    response = client.get(reverse("aprweb:orders") + "?" + found.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    return response.content.decode()


def walk(client, html, link):
    """Follow the links from a page as a browser would: the order ids of every page, and the last page."""
    pages = []
    while True:
        pages.append([int(pk) for pk in ORDER_LINK.findall(html)])
        assert len(pages) <= 3, pages  # a cursor that does not move on would loop for ever
        following = follow(client, html, link)
        if following is None:
            return pages, html
        html = following


@pytest.mark.parametrize("sort", list(SORTS))
def test_next_links_list_every_order_exactly_once_in_order(apr_client, orders, sort):
    first = apr_client.get(reverse("aprweb:orders"), {"sort": sort}).content.decode()
    pages, last = walk(apr_client, first, NEXT_LINK)
    assert [len(page) for page in pages] == [25, 25, 15]
    assert [pk for page in pages for pk in page] == expected(orders, sort)
    assert "Primeira página" in last and ">3</span>" in last


@pytest.mark.parametrize("sort", list(SORTS))
def test_previous_links_come_back_through_the_same_pages(apr_client, orders, sort):
    first = apr_client.get(reverse("aprweb:orders"), {"sort": sort}).content.decode()
    forward, last = walk(apr_client, first, NEXT_LINK)
    backward, first = walk(apr_client, last, PREVIOUS_LINK)
    assert backward == forward[::-1]
    assert ">1</span>" in first and "Primeira página" not in first


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize("size", [1, 2, 3, 5, 7])
def test_any_page_size_walks_the_whole_list_both_ways(rt, orders, sort, size):
    """Every boundary (inside a tie, at the last undated order, at the first dated one) as a page break."""
    queryset = search_orders(rt, {"sort": sort})
    page = KeysetPage(queryset, SORTS[sort], size=size)
    seen = list(page.object_list)
    while page.has_next:
        page = KeysetPage(queryset, SORTS[sort], after=page.next_cursor, size=size)
        seen += page.object_list
        assert len(seen) <= len(orders), "a row came twice"
    assert [o.pk for o in seen] == expected(orders, sort)
    back = list(page.object_list)
    while page.has_previous:
        page = KeysetPage(queryset, SORTS[sort], before=page.previous_cursor, size=size)
        back = list(page.object_list) + back
        assert len(back) <= len(orders), "a row came twice"
    assert [o.pk for o in back] == expected(orders, sort)


def test_a_deep_page_seeks_instead_of_counting_rows_off(apr_client, orders, django_assert_num_queries):
    url = reverse("aprweb:orders")
    apr_client.get(url)  # the session and the sign-in checks, warm
    with CaptureQueriesContext(connection) as first_page:
        first = apr_client.get(url, {"sort": "submitted_at"}).content.decode()
    first_page_queries = len(first_page)  # now: the next request empties the log the context reads
    # The second page of the oldest first: 25 sent orders before it, 10 after, then the unsent ones.
    with CaptureQueriesContext(connection) as deep_page:
        html = follow(apr_client, first, NEXT_LINK)
    order_queries = [q["sql"] for q in deep_page.captured_queries if 'FROM "aprweb_aprorder"' in q["sql"]]
    assert order_queries and not any("OFFSET" in sql.upper() for sql in order_queries), order_queries
    assert [int(pk) for pk in ORDER_LINK.findall(html)] == expected(orders, "submitted_at")[25:50]
    # That page spans the sent and the unsent orders: one query more, for the second range. A page inside
    # one range (the third, newest first: sent orders after a sent one) costs exactly what the first costs.
    assert len(deep_page) == first_page_queries + 1
    second = follow(apr_client, apr_client.get(url).content.decode(), NEXT_LINK)
    with django_assert_num_queries(first_page_queries):
        third = follow(apr_client, second, NEXT_LINK)
    assert [int(pk) for pk in ORDER_LINK.findall(third)] == expected(orders, "-submitted_at")[50:]


def cursor_for(orders, sort, at=25):
    row = AprOrder.objects.get(pk=expected(orders, sort)[at - 1])
    return Cursor.of(row, SORTS[sort], 2).dumps()


@pytest.mark.parametrize(
    "params",
    [
        {"after": "garbage"},
        {"before": "garbage"},
        {"after": "x" * 10_000},
        {"after": "a\x00b"},
        {"after": "2026-11-20T15:00:00,12"},  # the shape of a readable cursor, not signed here
        {"after": ":"},
        {"page": "99999999999999999999"},  # the old offset pages
        {"page": "-1"},
    ],
)
def test_a_cursor_this_site_did_not_write_gives_the_first_page(no_raise, apr_client, orders, params):
    response = apr_client.get(reverse("aprweb:orders"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert [int(pk) for pk in ORDER_LINK.findall(html)] == expected(orders, "-submitted_at")[:25]
    assert ">1</span>" in html and "Anterior" not in html


def test_an_edited_or_foreign_cursor_gives_the_first_page(apr_client, orders):
    url = reverse("aprweb:orders")
    first_page = expected(orders, "-submitted_at")[:25]
    genuine = cursor_for(orders, "-submitted_at")
    edited = genuine[:5] + ("A" if genuine[5] != "A" else "B") + genuine[6:]
    protocol_cursor = cursor_for(orders, "protocol")  # kept from a search sorted by protocol
    for params in ({"after": edited}, {"after": protocol_cursor}, {"before": protocol_cursor}):
        html = apr_client.get(url, params).content.decode()
        assert [int(pk) for pk in ORDER_LINK.findall(html)] == first_page, params
    second = apr_client.get(url, {"after": genuine}).content.decode()
    assert [int(pk) for pk in ORDER_LINK.findall(second)] == expected(orders, "-submitted_at")[25:50]


def test_next_link_keeps_the_filters(apr_client, orders):
    response = apr_client.get(reverse("aprweb:orders"), {"customer_name": "Cliente", "sort": "protocol"})
    link = NEXT_LINK.search(response.content.decode()).group(1)
    assert "customer_name=Cliente" in link and "sort=protocol" in link and "page=" not in link


@pytest.fixture
def no_raise(client):
    client.raise_request_exception = False
    return client
