"""Bulk filing /apr/lote/ (SPEC §14): the template, the upload, the per-line report (atende/bulk.py)."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from gdportal.clientip import client_ip
from gdportal.formfields import NamedRequiredMixin
from gdportal.middleware import accepts_uploads
from gdportal.uploads import install_upload_limit

from . import bulk
from .selectors import rt_required


class BulkUploadForm(NamedRequiredMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        self.fields["file"].help_text = _("Up to %(max)s MB and %(rows)s requests.") % {
            "max": bulk.MAX_BYTES // 2**20,
            "rows": bulk.MAX_ROWS,
        }

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if getattr(uploaded, "oversized", False):
            raise ValidationError(_("The file may have up to %(max)s MB.") % {"max": bulk.MAX_BYTES // 2**20})
        try:
            self.rows = bulk.read_upload(uploaded.read())
        except bulk.Refused as exc:
            raise ValidationError(str(exc), code="file") from None
        return uploaded


def _columns():
    return [
        {
            "name": name,
            "label": bulk.column_label(name),
            "required": bulk.column_required(name),
            "choices": bulk.column_choices(name),
            "example": bulk.EXAMPLE.get(name, ""),
            "boolean": name in bulk.BOOLEAN_COLUMNS,
        }
        for name in bulk.COLUMNS
    ]


def _page(request, form, status=200):
    return render(
        request,
        "atende/bulk_upload.html",
        {"form": form, "columns": _columns(), "max_rows": bulk.MAX_ROWS},
        status=status,
    )


@rt_required
@require_GET
def template(request):
    response = HttpResponse(bulk.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modelo-solicitacoes-gd.csv"'
    return response


@accepts_uploads(files=1)
@csrf_exempt
@rt_required
@require_http_methods(["GET", "POST"])
def upload(request):
    install_upload_limit(request, bulk.MAX_BYTES)
    return _upload(request)


@csrf_protect
def _upload(request):
    if request.method != "POST":
        return _page(request, BulkUploadForm())
    form = BulkUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        results = bulk.bulk_file_drafts(rows=form.rows, by=request.user, ip=client_ip(request))
    except bulk.TooManyLookups as exc:
        form.add_error("file", str(exc))
        return _page(request, form, status=429)
    labels = {name: bulk.column_label(name) for name in bulk.COLUMNS}
    for result in results:
        result.messages = [
            {"column": column, "label": labels.get(column, ""), "message": message}
            for column, message in result.errors
        ]
    created = [result for result in results if result.created]
    return render(
        request,
        "atende/bulk_report.html",
        {"results": results, "created": len(created), "failed": len(results) - len(created)},
    )
