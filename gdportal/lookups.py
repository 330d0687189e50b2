"""`field__in_array=ids`: `field IN (…)` sent as one array on PostgreSQL (`field = ANY(%s::type[])`).

Django's `__in` writes one placeholder per value, which psycopg's client-side binding turns into thousands of
literals: PostgreSQL then plans a 2,000-value list against every index of the table — 15 ms per statement for
an UPDATE of an *empty* table, and the deadline sweep sends ten such statements per batch (issue 15,
bench/README.md). One array parameter is planned in a fraction of a millisecond. Elsewhere (SQLite) it is
exactly `__in`. Registered on every field when the cases app is ready.

Integer ids — what the sweep and the bulk mirrors send, 2,000 at a time — skip the per-element work of both
Django (`get_prep_value` on each) and psycopg (dumping a Python list element by element): they travel as one
`'{1,2,…}'` text literal cast to the array type. Pass a set: Django's query builder walks a list or a tuple
element by element before any lookup sees it (`Query.resolve_lookup_value`), a set it leaves whole. At 100,000
lapses that per-element work was ~2 s of the sweep's Python time (bench/README.md, issue 15)."""

import re

from django.db.models import Field
from django.db.models.fields.related import ForeignObject
from django.db.models.lookups import In

INTEGER_TYPES = {"bigint", "integer", "smallint"}


def _all_ints(values):
    return set(map(type, values)) <= {int}  # not bool, not str: those go the general way


def int_array_literal(ids):
    """`'{1,2,3}'`: a whole list of integers as one parameter (PostgreSQL casts it with `::bigint[]`)."""
    return "{" + ",".join(map(str, ids)) + "}"


@Field.register_lookup
class InArray(In):
    lookup_name = "in_array"

    def get_prep_lookup(self):
        if isinstance(self.rhs, (list, tuple, set, frozenset)) and _all_ints(self.rhs):
            return list(self.rhs)  # already what every integer field's get_prep_value would return
        return super().get_prep_lookup()

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql" or not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        values = [v for v in self.rhs if v is not None]
        field = self.lhs.output_field
        lhs, lhs_params = self.process_lhs(compiler, connection)
        element = re.sub(r"\(.*\)", "", field.db_type(connection) or "text").replace("serial", "int")
        if element in INTEGER_TYPES and _all_ints(values):
            return f"{lhs} = ANY(%s::{element}[])", [*lhs_params, int_array_literal(values)]
        values = [field.get_db_prep_value(v, connection, prepared=True) for v in values]
        return f"{lhs} = ANY(%s::{element}[])", [*lhs_params, values]


@ForeignObject.register_lookup
class RelatedInArray(InArray):
    """The same on a foreign key's column (`case_id__in_array=ids`): the values are the ids themselves."""


def array_or_in(column, ids, connection):
    """The same for hand-written SQL: (sql, params) for `column IN ids` (bigint ids)."""
    ids = list(ids)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [int_array_literal(map(int, ids))]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids
