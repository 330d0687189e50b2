"""The rows of a unit's statement (SPEC §7.2 "Statement", §12 `compensation_statement`), one per computed
cycle, read from the ledger's CycleResult. The command, the statement page and its CSV export share them.

Rows keep Decimal values rounded half-up to 2 places (the ledger keeps 3); `csv_text` and `json_text` print
them with a dot, the page with a decimal comma.
"""

import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal

from .models import CycleResult

COLUMNS = (
    "cycle",
    "consumed_kwh",
    "injected_kwh",
    "compensated_kwh",
    "received_kwh",
    "credits_created_kwh",
    "credits_used_kwh",
    "credits_expired_kwh",
    "credits_transferred_kwh",
    "balance_kwh",
    "energy_parcel_brl",
    "parcel_without_gd_brl",
)
CENTS = Decimal("0.01")


def two_places(value):
    value = Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)
    return value if value else CENTS * 0  # never "-0.00"


def statement_row(result):
    """One CycleResult as a row: `cycle` as aaaa-mm, every number a Decimal with 2 places (compensated_kwh is
    the sum of its three origins, rounded once)."""
    row = {"cycle": f"{result.cycle:%Y-%m}"}
    for column in COLUMNS[1:]:
        value = result.compensated_kwh if column == "compensated_kwh" else getattr(result, column)
        row[column] = two_places(value)
    return row


def statement_rows(installation, first=None, last=None):
    """[{column: value}] in cycle order. `first` and `last` are cycles (dates, first day of the month)
    bounding the period, both included."""
    results = CycleResult.objects.filter(installation=installation)
    if first is not None:
        results = results.filter(cycle__gte=first)
    if last is not None:
        results = results.filter(cycle__lte=last)
    return [statement_row(result) for result in results.order_by("cycle")]


def csv_text(rows):
    """The CSV of SPEC §12: a header with COLUMNS, `,` between fields, numbers with a dot and 2 decimals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row["cycle"], *(f"{row[c]:.2f}" for c in COLUMNS[1:])])
    return buffer.getvalue()


def json_text(rows):
    """A JSON array of one object per cycle, keys in COLUMNS order; numbers are JSON numbers written with
    exactly 2 decimals (json.dumps would print floats: 12.3 instead of 12.30)."""
    if not rows:
        return "[]\n"
    objects = []
    for row in rows:
        fields = [f"{json.dumps('cycle')}: {json.dumps(row['cycle'])}"]
        fields += [f"{json.dumps(c)}: {row[c]:.2f}" for c in COLUMNS[1:]]
        objects.append("  {" + ", ".join(fields) + "}")
    return "[\n" + ",\n".join(objects) + "\n]\n"
