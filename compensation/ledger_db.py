"""Set-based reads and writes of the ledger: a few statements per chunk of units, whatever its size.

On PostgreSQL the rows go in as arrays (`INSERT … SELECT FROM unnest(…)`, one parameter per column) and the
first lots of each unit come through `LATERAL … LIMIT`; elsewhere (SQLite in the tests) the ORM's bulk
operations and a window function give the same rows.
"""

from django.db import connection

# The SQL in this module is assembled from model metadata and constant fragments; every value travels as a
# bound parameter. Bandit's B608 (and B611 for the one RawSQL) are marked "nosec" where it cannot tell.
from django.db.models import Q, Sum
from django.utils import timezone

from .models import CreditLot, CycleResult, LedgerEntry, Reading

LOT_COLUMNS = (
    "id",
    "installation_id",
    "customer_id",
    "origin_cycle",
    "gd_class",
    "requested_on",
    "expires_after",
    "remaining_kwh",
)
ENTRY_COLUMNS = ("lot_id", "installation_id", "cycle", "kind", "kwh", "counterpart_id", "reverses_id")
RESULT_COLUMNS = (
    "installation_id",
    "cycle",
    "consumed_kwh",
    "injected_kwh",
    "compensated_own_kwh",
    "compensated_received_kwh",
    "compensated_lots_kwh",
    "received_kwh",
    "credits_created_kwh",
    "credits_used_kwh",
    "credits_expired_kwh",
    "credits_transferred_kwh",
    "balance_kwh",
    "energy_parcel_brl",
    "parcel_without_gd_brl",
)
# What a lot row read back looks like (the order of LOT_COLUMNS).
LOT_SELECT = ", ".join(f"l.{c}" for c in LOT_COLUMNS)


def postgres():
    return connection.vendor == "postgresql"


def _bound_cursor():
    """A cursor that sends parameters apart from the SQL (server-side binding): Django's default quotes every
    value into the statement in Python, which for arrays of thousands of values cost more than the query."""
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def new_ids(model, count):
    """Reserve `count` primary keys, so lots and the entries that point at them go in one statement each."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if postgres():
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cur.fetchall()]
        # SQLite: one writer at a time, inside the caller's transaction; AUTOINCREMENT follows explicit ids.
        cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # nosec B608
        top = cur.fetchone()[0]
        cur.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        top = max(top, cur.fetchone()[0])
    return list(range(top + 1, top + 1 + count))


def insert_rows(model, columns, rows):
    """Insert tuples given in the order of `columns` (attribute names); auto_now fields get the time now."""
    if not rows:
        return
    meta = model._meta
    if not postgres():
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=500
        )
        return
    stamp_fields = [
        f
        for f in meta.concrete_fields
        if (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)) and f.attname not in columns
    ]
    fields = [meta.pk if c == "id" else meta.get_field(c.removesuffix("_id")) for c in columns]
    names = ", ".join(f'"{f.column}"' for f in [*fields, *stamp_fields])
    stamps = (timezone.now(),) * len(stamp_fields)
    # COPY: the rows stream in, each formatted by psycopg's C code — many times faster than parameters.
    with _bound_cursor() as cur, cur.copy(f'COPY "{meta.db_table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row((*row, *stamps))


def ids_in(model, column, ids, lookup=None):
    """A filter: `column` of `model`'s table (`lookup` from the model queried) is one of `ids`. One array
    parameter on PostgreSQL (thousands of placeholders cost more to build than the query), IN elsewhere."""
    if postgres():
        from django.db.models import BooleanField
        from django.db.models.expressions import RawSQL

        sql = f'"{model._meta.db_table}"."{column}" = ANY(%s)'
        # Table and column names from the model; the ids travel as one bound parameter.
        return RawSQL(sql, (list(ids),), output_field=BooleanField())  # nosec B611  # noqa: S611
    return Q(**{f"{lookup or column}__in": list(ids)})


def set_remaining(pairs):
    """Write lots' remaining kWh (the cache of their entries' sum): [(lot id, kWh)]."""
    if not pairs:
        return
    if not postgres():
        CreditLot.objects.bulk_update(
            [CreditLot(id=i, remaining_kwh=r) for i, r in pairs], ["remaining_kwh"], batch_size=500
        )
        return
    ids, values = zip(*pairs, strict=True)
    with _bound_cursor() as cur:
        cur.execute(
            "UPDATE compensation_creditlot AS l SET remaining_kwh = v.r "
            "FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, r) WHERE l.id = v.id",
            [list(ids), list(values)],
        )


def first_open_lots(unit_ids, limit):
    """Each unit's oldest open lots (FIFO order), at most `limit` each (None: all of them)."""
    if not unit_ids:
        return []
    if postgres():
        with _bound_cursor() as cur:
            cur.execute(
                f"SELECT {LOT_SELECT} FROM unnest(%s::bigint[]) AS u(id) CROSS JOIN LATERAL ("  # nosec B608
                "SELECT * FROM compensation_creditlot l "
                "WHERE l.installation_id = u.id AND l.remaining_kwh > 0 "
                "ORDER BY l.origin_cycle, l.id LIMIT %s) AS l",
                [list(unit_ids), limit],
            )
            return cur.fetchall()
    rows = []
    for start in range(0, len(unit_ids), 500):
        part = list(unit_ids[start : start + 500])
        marks = ", ".join(["%s"] * len(part))
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT {LOT_SELECT} FROM (SELECT *, ROW_NUMBER() OVER ("  # nosec B608
                "PARTITION BY installation_id ORDER BY origin_cycle, id) AS rn FROM compensation_creditlot "
                f"WHERE installation_id IN ({marks}) AND remaining_kwh > 0) AS l "
                "WHERE %s IS NULL OR rn <= %s",
                [*part, limit, limit],
            )
            rows.extend(cur.fetchall())
    return [_lot_row(r) for r in rows]


def unit_states(unit_ids, cycle):
    """{unit: (reading or None, computed result's inputs or None, computed in a later cycle)} — readings and
    results are looked up one unit at a time through their (installation, cycle) index: the statistics of a
    cycle being written are always stale, and a plan built on them rescanned the whole cycle per chunk."""
    if not unit_ids:
        return {}
    if postgres():
        with _bound_cursor() as cur:
            cur.execute(
                "SELECT u.id, r.consumed_kwh, r.injected_kwh, c.consumed_kwh, c.injected_kwh, "
                "EXISTS (SELECT 1 FROM compensation_cycleresult l WHERE l.installation_id = u.id "
                "AND l.cycle > %(cycle)s) "
                "FROM unnest(%(ids)s::bigint[]) AS u(id) "
                "LEFT JOIN LATERAL (SELECT consumed_kwh, injected_kwh FROM compensation_reading t "
                "WHERE t.installation_id = u.id AND t.cycle = %(cycle)s LIMIT 1) AS r ON true "
                "LEFT JOIN LATERAL (SELECT consumed_kwh, injected_kwh FROM compensation_cycleresult t "
                "WHERE t.installation_id = u.id AND t.cycle = %(cycle)s LIMIT 1) AS c ON true",
                {"ids": list(unit_ids), "cycle": cycle},
            )
            return {
                u: ((rc, ri) if rc is not None else None, (cc, ci) if cc is not None else None, later)
                for u, rc, ri, cc, ci, later in cur.fetchall()
            }
    states = {u: [None, None, False] for u in unit_ids}
    for start in range(0, len(unit_ids), 500):
        part = unit_ids[start : start + 500]
        for u, c, i in Reading.objects.filter(installation_id__in=part, cycle=cycle).values_list(
            "installation_id", "consumed_kwh", "injected_kwh"
        ):
            states[u][0] = (c, i)
        results = CycleResult.objects.filter(installation_id__in=part, cycle__gte=cycle).order_by()
        for u, when, c, i in results.values_list("installation_id", "cycle", "consumed_kwh", "injected_kwh"):
            if when == cycle:
                states[u][1] = (c, i)
            else:
                states[u][2] = True
    return {u: tuple(state) for u, state in states.items()}


def fast_commit(allowed=True):
    """The ledger's chunks may skip waiting for the disk at commit (PostgreSQL): a chunk lost in a crash is
    computed again by the next run, since a unit without its result is computed, and a commit lost is lost
    whole. Saves a WAL flush per chunk."""
    if allowed and postgres():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit TO OFF")


def _lot_row(row):
    """SQLite hands dates and decimals back as text through a raw cursor."""
    from datetime import date

    lot_id, unit, customer, origin, gd_class, requested_on, expires, remaining = row

    def as_date(value):
        return value if value is None or isinstance(value, date) else date.fromisoformat(str(value))

    return (
        lot_id,
        unit,
        customer,
        as_date(origin),
        gd_class,
        as_date(requested_on),
        as_date(expires),
        _decimal(remaining),
    )


def opening_balances(unit_ids, cycle):
    """{unit: kWh it holds before the cycle's own entries}: its last computed balance plus every entry dated
    after that cycle up to this one (a transfer, a reversal), so 60 cycles of lots are not added up each
    month; the sum of its open lots for a unit never computed before."""
    if not unit_ids:
        return {}
    balances = {}
    if postgres():
        with _bound_cursor() as cur:
            cur.execute(
                "SELECT u.id, r.balance_kwh + COALESCE((SELECT SUM(e.kwh) FROM compensation_ledgerentry e "
                "WHERE e.installation_id = u.id AND e.cycle > r.cycle AND e.cycle <= %s), 0) "
                "FROM unnest(%s::bigint[]) AS u(id) CROSS JOIN LATERAL (SELECT c.cycle, c.balance_kwh "
                "FROM compensation_cycleresult c WHERE c.installation_id = u.id AND c.cycle < %s "
                "ORDER BY c.cycle DESC LIMIT 1) AS r",
                [cycle, list(unit_ids), cycle],
            )
            balances.update(cur.fetchall())
    else:
        for start in range(0, len(unit_ids), 500):
            part = list(unit_ids[start : start + 500])
            marks = ", ".join(["%s"] * len(part))
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT r.installation_id, r.balance_kwh, (SELECT SUM(e.kwh) "  # nosec B608
                    "FROM compensation_ledgerentry e WHERE e.installation_id = r.installation_id "
                    "AND e.cycle > r.cycle AND e.cycle <= %s) "
                    "FROM (SELECT installation_id, cycle, balance_kwh, ROW_NUMBER() OVER (PARTITION BY "
                    "installation_id ORDER BY cycle DESC) AS rn FROM compensation_cycleresult "
                    f"WHERE cycle < %s AND installation_id IN ({marks})) AS r WHERE rn = 1",
                    [cycle, cycle, *part],
                )
                for unit, balance, moved in cur.fetchall():
                    balances[unit] = _decimal(balance) + _decimal(moved or 0)
    never = [u for u in unit_ids if u not in balances]
    if never:
        balances.update(_open_lot_sums(never))
    return balances


def transferred_out(unit_ids, cycle):
    """{unit: kWh its contract's end moved out in the cycle} (not reversed since), for its result."""
    if not unit_ids:
        return {}
    if postgres():
        with _bound_cursor() as cur:
            cur.execute(
                "SELECT u.id, t.moved FROM unnest(%s::bigint[]) AS u(id) CROSS JOIN LATERAL ("
                "SELECT -SUM(e.kwh) AS moved FROM compensation_ledgerentry e WHERE e.installation_id = u.id "
                "AND e.cycle = %s AND e.kind = 'transferred_out' AND NOT EXISTS (SELECT 1 FROM "
                "compensation_ledgerentry r WHERE r.reverses_id = e.id)) AS t WHERE t.moved IS NOT NULL",
                [list(unit_ids), cycle],
            )
            return dict(cur.fetchall())
    moved = {}
    for start in range(0, len(unit_ids), 500):
        for unit, kwh in LedgerEntry.objects.filter(
            installation_id__in=unit_ids[start : start + 500],
            cycle=cycle,
            kind="transferred_out",
            reversed_by__isnull=True,
        ).values_list("installation_id", "kwh"):
            moved[unit] = moved.get(unit, 0) - kwh
    return moved


def _decimal(value):
    """SQLite hands decimals back as floats through a raw cursor (and adds them up as floats)."""
    from decimal import Decimal

    return Decimal(str(value)).quantize(Decimal("0.001"))


def _open_lot_sums(unit_ids):
    if postgres():
        with _bound_cursor() as cur:
            cur.execute(
                "SELECT installation_id, SUM(remaining_kwh) FROM compensation_creditlot "
                "WHERE installation_id = ANY(%s) AND remaining_kwh > 0 GROUP BY installation_id",
                [list(unit_ids)],
            )
            return dict(cur.fetchall())
    balances = {}
    for start in range(0, len(unit_ids), 500):
        rows = (
            CreditLot.objects.filter(installation_id__in=unit_ids[start : start + 500], remaining_kwh__gt=0)
            .values_list("installation_id")
            .annotate(total=Sum("remaining_kwh"))
            .order_by()
        )
        balances.update(rows)
    return balances


def write_entries(rows):
    insert_rows(LedgerEntry, ENTRY_COLUMNS, rows)


def write_results(rows):
    insert_rows(CycleResult, RESULT_COLUMNS, rows)


def write_lots(rows):
    insert_rows(CreditLot, LOT_COLUMNS, rows)
