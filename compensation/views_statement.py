"""The titular's side of the sistema de compensação (SPEC §7.2 "Statement", §12): /compensacao/ lists the
units, /compensacao/extrato/<installation>/ is the statement with its CSV and PDF exports.

A customer reaches only their own units (anyone else's installation is a 404, as every page of the portal);
staff with the right to see every case — the commercial analysts — or to view the ledger's results may open
any statement, once the admin would let them in (staff MFA). An RT files requests for a customer but does not
read the customer's bills, so an RT reaches no statement that is not theirs.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gdportal.brformats import number_br
from gdportal.registry.models import Installation

from .chart import build_chart
from .extrato import (
    build_statement,
    compensation_units,
    credits_in_titular_name,
    parse_cycle,
)
from .statement import csv_text, statement_row
from .statement_pdf import StatementHeader, render_statement_pdf, statement_notes

STAFF_PERMISSIONS = ("cases.view_all_cases", "compensation.view_cycleresult")


def sees_every_statement(request) -> bool:
    user = request.user
    return admin.site.has_permission(request) and any(user.has_perm(perm) for perm in STAFF_PERMISSIONS)


def statement_installations(request):
    """The installations whose statement this user may open."""
    if sees_every_statement(request):
        return Installation.objects.all()
    user = request.user
    if user.is_staff or not user.customer_id:
        return Installation.objects.none()
    return Installation.objects.filter(customer_id=user.customer_id)


class MonthInput(forms.TextInput):
    input_type = "month"  # a month picker where the browser has one; elsewhere a text box that shows aaaa-mm


class CycleField(forms.CharField):
    """A billing cycle typed as aaaa-mm."""

    widget = MonthInput(attrs={"placeholder": "aaaa-mm", "pattern": r"\d{4}-\d{2}"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_cycle(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Type the cycle as aaaa-mm, e.g. 2025-03."), code="cycle") from exc


class PeriodForm(forms.Form):
    """The period filter: both ends included, either may be left empty. Its fields are named `from` and `to`,
    as the command's options (--from, --to); `from` is a keyword, so they are added here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = CycleField(label=gettext_lazy("From cycle"), required=False)
        self.fields["to"] = CycleField(label=gettext_lazy("To cycle"), required=False)

    def clean(self):
        data = super().clean()
        first, last = data.get("from"), data.get("to")
        if first and last and first > last:
            self.add_error("to", _("The last cycle must not come before the first one."))
        return data


class InstallationLookupForm(forms.Form):
    installation = forms.CharField(label=gettext_lazy("Installation number"), max_length=10)


@login_required
@require_GET
def units(request):
    """The titular's units with their balance; staff look a unit up by its number."""
    context = {"lookup": None, "units": [], "held_kwh": None}
    if sees_every_statement(request):
        lookup = InstallationLookupForm(request.GET or None)
        if lookup.is_bound and lookup.is_valid():
            number = lookup.cleaned_data["installation"].strip()
            if Installation.objects.filter(number=number).exists():
                return redirect("statement:detail", number=number)
            lookup.add_error("installation", _("There is no installation with this number."))
        context["lookup"] = lookup
    elif not request.user.is_staff and request.user.customer_id:
        context["units"] = list(compensation_units(request.user.customer_id))
        context["held_kwh"] = credits_in_titular_name(request.user.customer_id)
    return render(request, "compensation/units.html", context)


@login_required
@require_GET
def statement(request, number):
    installation = get_object_or_404(
        statement_installations(request).select_related("customer", "generator"), number=number
    )
    form = PeriodForm(request.GET)
    first = last = None
    if form.is_valid():
        first, last = form.cleaned_data["from"], form.cleaned_data["to"]
    data = build_statement(installation, first, last)
    export = request.GET.get("format")
    if form.is_valid() and export == "csv":
        return _csv_response(data)
    if form.is_valid() and export == "pdf":
        return statement_pdf_response(data)
    generator = getattr(installation, "generator", None)
    chart = build_chart(data.results)
    return render(
        request,
        "compensation/statement.html",
        {
            "installation": installation,
            "generator": generator,
            "statement": data,
            "form": form,
            "period": _period_label(first, last),
            "chart": chart,
            "chart_cycles": len(chart.slots) if chart else 0,
            "notes": statement_notes(),
            "export_query": _export_query(first, last),
            "staff_view": sees_every_statement(request)
            and installation.customer_id != request.user.customer_id,
        },
    )


def _export_query(first, last) -> str:
    parts = [f"from={first:%Y-%m}"] if first else []
    parts += [f"to={last:%Y-%m}"] if last else []
    return "&".join(parts)


def _period_label(first, last) -> str:
    if first and last:
        return _("from %(first)s to %(last)s") % {"first": f"{first:%m/%Y}", "last": f"{last:%m/%Y}"}
    if first:
        return _("from %(first)s") % {"first": f"{first:%m/%Y}"}
    if last:
        return _("up to %(last)s") % {"last": f"{last:%m/%Y}"}
    return _("all cycles")


def _file_name(data, extension: str) -> str:
    name = f"extrato-{data.installation.number}"
    if data.first:
        name += f"-de-{data.first:%Y-%m}"
    if data.last:
        name += f"-ate-{data.last:%Y-%m}"
    return f"{name}.{extension}"


def _private(response: HttpResponse, data, extension: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{_file_name(data, extension)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _csv_response(data) -> HttpResponse:
    """The file of `compensation_statement --format csv` (SPEC §12): its columns, dot decimals, 2 places."""
    text = csv_text([statement_row(result) for result in data.results])
    return _private(HttpResponse(text, content_type="text/csv; charset=utf-8"), data, "csv")


def statement_pdf_response(data) -> HttpResponse:
    installation = data.installation
    generator = getattr(installation, "generator", None)
    if generator is not None:
        unit = _("Generating unit — %(power)s kW, %(gd_class)s") % {
            "power": number_br(generator.power_kw),
            "gd_class": generator.get_gd_class_display(),
        }
    else:
        unit = _("Receiving unit")
    header = StatementHeader(
        installation=installation.number,
        titular=installation.customer.name,
        address=installation.address,
        unit=unit,
        period=_period_label(data.first, data.last),
        issued_on=timezone.localdate(),
    )
    return _private(
        HttpResponse(render_statement_pdf(data, header), content_type="application/pdf"), data, "pdf"
    )
