"""/transparencia/ (SPEC §14): public, no personal data, read from the last computation only."""

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gdportal.cache import cache_get, cache_set

from . import figures as present
from . import reasons as reason_figures
from .chart import build_chart
from .services import CACHE_SECONDS, latest_snapshot, request_computation


@require_GET
def index(request):
    snapshot = latest_snapshot()
    if snapshot is None:
        request_computation()
        return render(request, "transparency/index.html", {"pending": True})
    figures = snapshot["figures"]
    return render(
        request,
        "transparency/index.html",
        {"figures_html": _figures_html(snapshot), "months_kept": len(figures["months"])},
    )


def _figures_html(snapshot):
    """The tables and the chart of one computation, rendered once per language: the same for every visitor,
    and the bulk of the page's rendering time."""
    key = f"transparency:html:{get_language()}:{snapshot['computed_at'].timestamp()}"
    html = cache_get(key)
    if html is None:
        figures = snapshot["figures"]
        tables = present.stage_tables(figures)
        breach_clocks, breach_rows = present.breach_table(figures)
        html = render_to_string(
            "transparency/_figures.html",
            {
                "computed_at": snapshot["computed_at"],
                "tables": tables,
                "chart": build_chart(tables),
                "breach_clocks": breach_clocks,
                "breach_rows": breach_rows,
                "first_month": present.month_label(present.shown_months(figures)[0]),
                "reason_rows": [
                    (present.month_label(key), lines, totals, new_fact)
                    for key, lines, totals, new_fact in reason_figures.reason_rows(
                        figures, present.shown_months(figures)
                    )
                ],
            },
        )
        cache_set(key, html, CACHE_SECONDS)
    # Our own template's output, escaped when it was rendered and cached as a string.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


def _csv(rows, columns, name, snapshot):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Last-Modified"] = http_date(snapshot["computed_at"].timestamp())
    return response


def _pending_csv():
    request_computation()
    response = HttpResponse(
        _("The figures are being computed. Try again in a few minutes."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "300"
    return response


@require_GET
def data_csv(request):
    snapshot = latest_snapshot()
    if snapshot is None:
        return _pending_csv()
    rows = present.csv_rows(snapshot["figures"])
    return _csv(rows, present.CSV_COLUMNS, "transparencia-prazos.csv", snapshot)


@require_GET
def breaches_csv(request):
    snapshot = latest_snapshot()
    if snapshot is None:
        return _pending_csv()
    rows = present.breach_csv_rows(snapshot["figures"])
    return _csv(rows, present.BREACH_CSV_COLUMNS, "transparencia-descumprimentos.csv", snapshot)


@require_GET
def reasons_csv(request):
    snapshot = latest_snapshot()
    if snapshot is None:
        return _pending_csv()
    figures = snapshot["figures"]
    rows = reason_figures.reason_csv_rows(figures, present.shown_months(figures))
    return _csv(rows, reason_figures.CSV_COLUMNS, "transparencia-motivos.csv", snapshot)
