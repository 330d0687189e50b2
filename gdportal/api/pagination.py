from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Keyset paging (an opaque cursor, not an offset): a page costs the same on page 1 and page 10,000, and a
    case filed meanwhile neither repeats nor skips a row."""

    ordering = "-id"
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
