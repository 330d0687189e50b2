"""Order search (SPEC §5.5): every filter maps to an indexed column of AprOrder; no join, no full count."""

import datetime as dt

from django.utils import timezone

from .models import AprOrder


def search_orders(user, data):
    qs = AprOrder.objects.for_user(user)
    exact = {
        "ns": "ns",
        "protocol": "protocol",
        "situation": "situation",
        "regional": "regional",
        "request_type": "request_type",
        "customer_number": "customer_number",
        "installation_number": "installation_number",
    }
    for field, column in exact.items():
        value = (data.get(field) or "").strip()
        if value:
            qs = qs.filter(**{column: value})
    if data.get("customer_name"):
        qs = qs.filter(customer_name__istartswith=data["customer_name"].strip())
    tz = timezone.get_current_timezone()
    if data.get("sent_from"):
        qs = qs.filter(submitted_at__gte=dt.datetime.combine(data["sent_from"], dt.time.min, tzinfo=tz))
    # "Until" includes the whole day: before the next midnight. The last representable day has no next day
    # (date.max + 1 overflows), and every order was sent before it anyway.
    if data.get("sent_to") and data["sent_to"] < dt.date.max:
        qs = qs.filter(
            submitted_at__lt=dt.datetime.combine(
                data["sent_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            )
        )
    # Unsent orders (no date yet) sort first in descending order: the RT's work in progress on top.
    sort = data.get("sort") or "-submitted_at"
    return qs.order_by(sort, "-id" if sort.startswith("-") else "id")


# Deeper than this is no browsing (25 a page: 250,000 orders); the filters narrow the list instead. The cap
# also keeps the OFFSET inside the database's integer range: a huge ?page= used to fail there (a 500).
MAX_PAGE = 10_000


def page_number(value):
    """The page asked for in the query string; anything that is not a page we serve means the first one."""
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


class KeysetPage:
    """Fetch one row more than the page to know whether there is a next page, without COUNT(*) over a
    million rows."""

    def __init__(self, queryset, page, size=25):
        self.number = max(1, page)
        rows = list(queryset[(self.number - 1) * size : self.number * size + 1])
        self.has_next = len(rows) > size
        self.object_list = rows[:size]
        self.has_previous = self.number > 1
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1
