import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Keyset paging (an opaque cursor, not an offset): a page costs the same on page 1 and page 10,000, and a
    case filed meanwhile neither repeats nor skips a row."""

    ordering = "-id"
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        # DRF falls back to the default on a bad value; an integrator's typo deserves a 400 that says so.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # ASCII digits only: str.isdigit() also takes "５" and "²".
        if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= self.max_page_size:
            message = _("Use a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [message]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(gettext_lazy("The `next` or `previous` link's cursor.")),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": str(gettext_lazy("Rows per page (1 to 100; 25 when absent).")),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
