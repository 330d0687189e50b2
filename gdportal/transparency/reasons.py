"""Pendências and refusals per month and reason, and the "fato novo" count (SPEC §15), for /transparencia/.

Counted from the reasons the decisions sent (gdportal/cases/reasons.py): a row per reason given, in the month
(America/Sao_Paulo) its decision was sent — a document with two reasons counts once under each. "Fato novo":
the documents marked Não conforme although unchanged since marked Conforme in an earlier round (REN 1.000
art. 10), counted once each, in the month their pendência was sent. Three aggregate queries whatever the
number of rows; nothing about a case or a person leaves them: codes, the catalogue's words and counts.

The snapshot keeps it as {"catalogue": [{code, text, norm_reference}], "months": [{month, pendency: {code: n},
refusal: {code: n}, new_fact: n}]}; the page and `motivos.csv` read only that.
"""

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gdportal.cases.reasons import CaseReason, DecisionReason, ReasonKind
from gdportal.deadlines.calendar import LOCAL_TZ

CSV_COLUMNS = ["month", "kind", "reason_code", "reason", "norm_reference", "count"]
NEW_FACT = "new_fact"


def _key(value):
    return f"{timezone.localtime(value, LOCAL_TZ):%Y-%m}"


def reason_figures(*, since, now, keys):
    sent = CaseReason.objects.filter(decided_at__gte=since, decided_at__lte=now)
    month = TruncMonth("decided_at", tzinfo=LOCAL_TZ)
    counts = {}
    used = set()
    for row in (
        sent.annotate(month=month).values("month", "kind", "reason").order_by().annotate(n=Count("id"))
    ):
        counts[(_key(row["month"]), row["kind"], row["reason"])] = row["n"]
        used.add(row["reason"])
    new_facts = {
        _key(row["month"]): row["n"]
        for row in sent.filter(version__new_fact=True)
        .annotate(month=month)
        .values("month")
        .order_by()
        .annotate(n=Count("version", distinct=True))
    }
    catalogue = list(
        DecisionReason.objects.filter(pk__in=used)
        .order_by("position", "code")
        .values("pk", "code", "text", "norm_reference")
    )
    months = []
    for key in keys:
        entry = {"month": key, "new_fact": new_facts.get(key, 0)}
        for kind in ReasonKind.values:
            entry[kind] = {
                reason["code"]: counts[(key, kind, reason["pk"])]
                for reason in catalogue
                if (key, kind, reason["pk"]) in counts
            }
        months.append(entry)
    return {
        "catalogue": [{k: reason[k] for k in ("code", "text", "norm_reference")} for reason in catalogue],
        "months": months,
    }


def reason_rows(figures, months):
    """For the page: [(month, [(reason, pendencies, refusals)], totals (pendencies, refusals), new facts)] of
    the shown months, empty reasons left out. Snapshots older than this table have none."""
    data = figures.get("reasons")
    if not data:
        return []
    catalogue = data["catalogue"]
    shown = set(months)
    rows = []
    for entry in data["months"]:
        if entry["month"] not in shown:
            continue
        pending, refused = entry.get(ReasonKind.PENDENCY, {}), entry.get(ReasonKind.REFUSAL, {})
        lines = [
            (reason, pending.get(reason["code"], 0), refused.get(reason["code"], 0))
            for reason in catalogue
            if reason["code"] in pending or reason["code"] in refused
        ]
        totals = (sum(pending.values()), sum(refused.values()))
        rows.append((entry["month"], lines, totals, entry["new_fact"]))
    return rows


def reason_csv_rows(figures, months):
    out = []
    for key, lines, _totals, new_fact in reason_rows(figures, months):
        for reason, pendencies, refusals in lines:
            for kind, count in ((ReasonKind.PENDENCY, pendencies), (ReasonKind.REFUSAL, refusals)):
                if count:
                    out.append(
                        {
                            "month": key,
                            "kind": str(kind),
                            "reason_code": reason["code"],
                            "reason": reason["text"],
                            "norm_reference": reason["norm_reference"],
                            "count": str(count),
                        }
                    )
        out.append(
            {
                "month": key,
                "kind": NEW_FACT,
                "reason_code": "",
                "reason": "",
                "norm_reference": "",
                "count": str(new_fact),
            }
        )
    return out
