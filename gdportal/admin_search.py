"""Admin search that uses the indexes: Django's '=field' search compiles to UPPER(col) = UPPER(term), which
no plain index serves, so a protocol search over a million rows would scan the table."""

from gdportal.brdocs import normalize_document, only_digits


class IndexedSearchMixin:
    """Subclasses set `search_exact` {digits_length: [field, …]} and optionally `search_prefix` (a field
    searched with istartswith, served by an UPPER(...) pattern index on PostgreSQL)."""

    search_exact = {}
    search_prefix = None
    search_document = None

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        digits = only_digits(term)
        bare = normalize_document(term)
        if self.search_document and len(bare) in (11, 14) and (bare == digits or not bare.isdigit()):
            return queryset.filter(**{self.search_document: bare}), False
        if digits and digits == term.replace(".", "").replace("-", "").replace("/", "").replace(" ", ""):
            fields = self.search_exact.get(len(digits), [])
            if fields:
                result = queryset.none()
                for field in fields:
                    result = result | queryset.filter(**{field: digits})
                return result, False
        if self.search_prefix:
            return queryset.filter(**{f"{self.search_prefix}__istartswith": term}), False
        return queryset.none(), False
