"""Order search (SPEC §5.5): every filter maps to an indexed column of AprOrder; no join, no full count.

Pages are keyset pages: a link carries the sort key of the last (or first) row shown, and the next page asks
for the rows past it — `(submitted_at, id) < (last_sent, last_id)` — which the (-submitted_at, -id) index
answers by seeking, however deep the page. OFFSET would read and discard every row before the page.
"""

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.db.models import F, Q
from django.utils import timezone

from .models import AprOrder


@dataclass(frozen=True)
class Sort:
    """One order of the search: a column, its direction, the id as tie-breaker in the same direction."""

    key: str  # the form's value: "-submitted_at", "protocol"...
    column: str
    descending: bool
    nullable: bool = False
    moment: bool = False  # a datetime column: its cursor value travels as ISO text

    def reversed(self):
        return Sort(self.key, self.column, not self.descending, self.nullable, self.moment)

    def order_by(self):
        # Unsent orders (no date yet) sort first in descending order: the RT's work in progress on top; and
        # last in ascending order. That is PostgreSQL's default, which the (-submitted_at, -id) index serves;
        # spelt out so that SQLite, whose NULLs are the smallest values, shows the same order.
        column = F(self.column)
        if self.descending:
            return [column.desc(nulls_first=True) if self.nullable else column.desc(), F("id").desc()]
        return [column.asc(nulls_last=True) if self.nullable else column.asc(), F("id").asc()]

    def after(self, value, pk):
        """The rows past the row keyed (value, pk), as ranges to read in turn (each one an index range).

        A NULL date is not comparable, so the rows past a cursor may be two ranges: for an ascending sort, the
        dated rows past the cursor and then every undated row; for a descending sort from an undated cursor,
        the undated rows past it and then every dated row.
        """
        beyond, reached = ("lt", "lte") if self.descending else ("gt", "gte")
        pk_beyond = Q(**{f"id__{beyond}": pk})
        if value is None:
            undated_beyond = Q(**{f"{self.column}__isnull": True}) & pk_beyond
            if self.descending:
                return [undated_beyond, Q(**{f"{self.column}__isnull": False})]
            return [undated_beyond]
        # `column <= value` (descending) is implied by the OR, but it is the bound the index seeks to: the OR
        # alone would be a filter over every row before the cursor. Comparisons also leave the NULLs out.
        bound = Q(**{f"{self.column}__{reached}": value})
        ranges = [bound & (Q(**{f"{self.column}__{beyond}": value}) | pk_beyond)]
        if self.nullable and not self.descending:
            ranges.append(Q(**{f"{self.column}__isnull": True}))
        return ranges


SORTS = {
    "-submitted_at": Sort("-submitted_at", "submitted_at", descending=True, nullable=True, moment=True),
    "submitted_at": Sort("submitted_at", "submitted_at", descending=False, nullable=True, moment=True),
    # Most urgent first: the nearest RT deadline first, the orders with none (Cemig's turn, or decided) last.
    # The (due_at, id) index serves it, the copy of the clocks on the order (aprweb.receivers) makes it one
    # column.
    "due_at": Sort("due_at", "due_at", descending=False, nullable=True, moment=True),
    "protocol": Sort("protocol", "protocol", descending=False),
    "customer_name": Sort("customer_name", "customer_name", descending=False),
}
DEFAULT_SORT = "-submitted_at"


def order_sort(data):
    return SORTS.get(data.get("sort") or DEFAULT_SORT, SORTS[DEFAULT_SORT])


# What a results row shows and the sorts key on: the search reads only these of the order's ~30 columns, which
# halves the query's compiling and decoding (issue 15). A row that shows another column must add it here.
LIST_COLUMNS = (
    "id",
    "protocol",
    "ns",
    "customer_number",
    "customer_name",
    "installation_number",
    "registered_at",
    "submitted_at",
    "answered_at",
    "situation",
    "due_at",
    "due_kind",
)


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
    return qs.order_by(*order_sort(data).order_by())


# Signed: a cursor comes back from the browser, and only one this site wrote is read (an edited or truncated
# one means the first page, never a query with a value of the wrong type). It also names its sort, so a link
# kept from another sort does not apply.
CURSOR_SALT = "aprweb.orders.cursor"


@dataclass(frozen=True)
class Cursor:
    sort: str
    value: object  # the sort column's value in the row (None: an unsent order)
    pk: int
    number: int  # the number of the page it leads to, for display only

    @classmethod
    def of(cls, row, sort, number):
        return cls(sort.key, getattr(row, sort.column), row.pk, number)

    def dumps(self):
        value = self.value.isoformat() if isinstance(self.value, dt.datetime) else self.value
        return signing.dumps([self.sort, value, self.pk, self.number], salt=CURSOR_SALT, compress=False)

    @classmethod
    def loads(cls, text, sort):
        """The cursor in `text` if this site wrote it for `sort`, else None (the first page)."""
        if not text:
            return None
        try:
            key, value, pk, number = signing.loads(text, salt=CURSOR_SALT)
            if value is not None and sort.moment:
                value = dt.datetime.fromisoformat(value)
        except (signing.BadSignature, ValueError, TypeError):
            return None
        if key != sort.key or not isinstance(pk, int) or not isinstance(number, int):
            return None
        return cls(key, value, pk, number)


class KeysetPage:
    """One page of a sorted search, after (or before) the row a cursor names.

    It fetches one row more than the page to know whether there is a page beyond, without COUNT(*) over a
    million rows; a page that spans the dated and undated orders reads its two ranges in two queries.
    """

    def __init__(self, queryset, sort, *, after=None, before=None, size=25):
        cursor = Cursor.loads(after, sort)
        backwards = False
        if cursor is None:
            cursor = Cursor.loads(before, sort)
            backwards = cursor is not None
        rows, beyond = self._read(queryset, sort.reversed() if backwards else sort, cursor, size)
        if backwards and len(rows) < size:
            # Fewer rows before the cursor than a page (some were deleted meanwhile): that is the first page,
            # shown whole.
            cursor, backwards = None, False
            rows, beyond = self._read(queryset, sort, None, size)
        if backwards:
            rows.reverse()
            self.has_previous, self.has_next = beyond, True
        else:
            self.has_previous, self.has_next = cursor is not None, beyond
        self.object_list = rows
        self.number = max(cursor.number, 2) if cursor and self.has_previous else 1
        self.next_cursor = (
            Cursor.of(rows[-1], sort, self.number + 1).dumps() if self.has_next and rows else ""
        )
        self.previous_cursor = (
            Cursor.of(rows[0], sort, self.number - 1).dumps() if self.has_previous and rows else ""
        )

    @staticmethod
    def _read(queryset, walk, cursor, size):
        """Up to `size` rows past the cursor in the order `walk`, and whether there are more."""
        rows = []
        for condition in [Q()] if cursor is None else walk.after(cursor.value, cursor.pk):
            rows += queryset.filter(condition).order_by(*walk.order_by())[: size + 1 - len(rows)]
            if len(rows) > size:
                break
        return rows[:size], len(rows) > size
