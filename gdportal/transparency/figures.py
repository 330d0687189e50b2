"""What the page and its CSV files show, from a snapshot's figures (compute.py): the same rows for both, so
the file a journalist downloads says what the page says.

The main CSV (`dados.csv`) has one row per month × stage, oldest month first, dot decimals:

    month                aaaa-mm, the month the clocks closed (America/Sao_Paulo)
    stage                commercial | apr_documents | technical | parecer | inspection
    stage_name           the stage's name in Portuguese
    party                cemig (the utility's clock) | rt (the responsible technician's)
    cases                cases with a clock of the stage closed that month
    closed               clocks of the stage closed that month (a case resubmitted twice has two)
    median_days          median time from start to close, calendar days less paused days, 1 decimal
    p90_days             90th percentile of the same, 1 decimal
    within_deadline      clocks closed by their due date (cemig only)
    within_deadline_pct  the same as a percentage of `closed`, 1 decimal (cemig only)
    late                 clocks closed after their due date (cemig only)
    open                 cases with a clock of the stage still running (current month's row only)
    open_overdue         of those, cases past a due date (cemig only; current month's row only)

The breaches CSV (`descumprimentos.csv`) has one row per month × utility clock: month, clock, clock_name,
breaches (closed late that month; the current month adds the clocks still open past their due date).
"""

from dataclasses import dataclass

from gdportal.brformats import number_br
from gdportal.deadlines.kinds import all_kinds

from . import stages

CSV_COLUMNS = [
    "month",
    "stage",
    "stage_name",
    "party",
    "cases",
    "closed",
    "median_days",
    "p90_days",
    "within_deadline",
    "within_deadline_pct",
    "late",
    "open",
    "open_overdue",
]
BREACH_CSV_COLUMNS = ["month", "clock", "clock_name", "breaches"]


def month_label(key):
    """'2026-02' → '02/2026'."""
    year, month = key.split("-")
    return f"{month}/{year}"


def kind_label(code):
    kind = all_kinds().get(code)
    return str(kind.label) if kind else code


def shown_months(figures):
    """From the first month with anything to show to the current one (a new portal's page does not open
    on eleven empty months)."""
    months = figures["months"]
    busy = {row["month"] for stage in figures["stages"] for row in stage["months"] if row["closed"]}
    busy |= {row["month"] for row in figures["breaches"] if row["total"]}
    busy |= {
        row["month"]
        for row in figures.get("reasons", {}).get("months", [])
        if row["pendency"] or row["refusal"] or row["new_fact"]
    }
    first = next((index for index, key in enumerate(months) if key in busy), len(months) - 1)
    return months[first:]


@dataclass(frozen=True)
class Row:
    month: str
    label: str
    current: bool
    cases: int
    closed: int
    median_days: float | None
    p90_days: float | None
    within: int | None
    within_pct: float | None
    late: int | None
    open: int | None
    open_overdue: int | None


@dataclass(frozen=True)
class StageTable:
    code: str
    label: str
    party: str
    utility: bool
    clocks: list  # the names of the clocks counted
    open: int
    open_overdue: int | None
    rows: list


def stage_tables(figures):
    months = shown_months(figures)
    current = figures["months"][-1]
    tables = []
    for stage in figures["stages"]:
        spec = stages.BY_CODE.get(stage["stage"])
        if spec is None:  # a stage dropped since the snapshot: shown again at the next computation
            continue
        by_month = {row["month"]: row for row in stage["months"]}
        rows = []
        for key in months:
            row = by_month[key]
            now = key == current
            rows.append(
                Row(
                    month=key,
                    label=month_label(key),
                    current=now,
                    cases=row["cases"],
                    closed=row["closed"],
                    median_days=row["median_days"],
                    p90_days=row["p90_days"],
                    within=row["within"],
                    within_pct=row["within_pct"],
                    late=row["late"],
                    open=stage["open"] if now else None,
                    open_overdue=stage["open_overdue"] if now else None,
                )
            )
        tables.append(
            StageTable(
                code=spec.code,
                label=str(spec.label),
                party=spec.party,
                utility=spec.utility,
                clocks=[kind_label(code) for code in stage["kinds"]],
                open=stage["open"],
                open_overdue=stage["open_overdue"],
                rows=rows,
            )
        )
    return tables


def breach_table(figures):
    """(clock names, rows of (month label, [counts per clock], total)) for the shown months."""
    months = set(shown_months(figures))
    kinds = figures["breach_kinds"]
    rows = [
        (month_label(row["month"]), [row["counts"].get(kind, 0) for kind in kinds], row["total"])
        for row in figures["breaches"]
        if row["month"] in months
    ]
    return [kind_label(kind) for kind in kinds], rows


def _dot(value):
    return "" if value is None else f"{value:.1f}"


def _int(value):
    return "" if value is None else str(value)


def csv_rows(figures):
    rows = []
    for table in stage_tables(figures):
        for row in table.rows:
            rows.append(
                {
                    "month": row.month,
                    "stage": table.code,
                    "stage_name": table.label,
                    "party": table.party,
                    "cases": _int(row.cases),
                    "closed": _int(row.closed),
                    "median_days": _dot(row.median_days),
                    "p90_days": _dot(row.p90_days),
                    "within_deadline": _int(row.within),
                    "within_deadline_pct": _dot(row.within_pct),
                    "late": _int(row.late),
                    "open": _int(row.open),
                    "open_overdue": _int(row.open_overdue),
                }
            )
    rows.sort(key=lambda row: row["month"])  # stable: the stages keep their order within a month
    return rows


def breach_csv_rows(figures):
    months = set(shown_months(figures))
    return [
        {"month": row["month"], "clock": kind, "clock_name": kind_label(kind), "breaches": str(count)}
        for row in figures["breaches"]
        if row["month"] in months
        for kind, count in row["counts"].items()
    ]


def days_br(value):
    """A time in days for the page: 2.5 → '2,5'; none → '—'."""
    return "—" if value is None else number_br(f"{value:.1f}", decimal_pos=1)


def pct_br(value):
    return "—" if value is None else f"{number_br(f'{value:.1f}', decimal_pos=1)} %"
