"""`field__in_array=ids`: `field IN (…)` sent as one array on PostgreSQL (`field = ANY(%s::type[])`).

Django's `__in` writes one placeholder per value, which psycopg's client-side binding turns into thousands of
literals: PostgreSQL then plans a 2,000-value list against every index of the table — 15 ms per statement for
an UPDATE of an *empty* table, and the deadline sweep sends ten such statements per batch (issue 15,
bench/README.md). One array parameter is planned in a fraction of a millisecond. Elsewhere (SQLite) it is
exactly `__in`. Registered on every field when the cases app is ready."""

import re

from django.db.models import Field
from django.db.models.fields.related import ForeignObject
from django.db.models.lookups import In


@Field.register_lookup
class InArray(In):
    lookup_name = "in_array"

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql" or not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        values = [v for v in self.rhs if v is not None]
        field = self.lhs.output_field
        lhs, lhs_params = self.process_lhs(compiler, connection)
        element = re.sub(r"\(.*\)", "", field.db_type(connection) or "text").replace("serial", "int")
        values = [field.get_db_prep_value(v, connection, prepared=True) for v in values]
        return f"{lhs} = ANY(%s::{element}[])", [*lhs_params, values]


@ForeignObject.register_lookup
class RelatedInArray(InArray):
    """The same on a foreign key's column (`case_id__in_array=ids`): the values are the ids themselves."""


def array_or_in(column, ids, connection):
    """The same for hand-written SQL: (sql, params) for `column IN ids` (bigint ids)."""
    ids = list(ids)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [ids]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids
