"""Bulk filing (SPEC §14): an RT's CSV of access requests, one row each, checked by the request page's form.

Every row goes through atende.forms.AccessRequestForm, the request page's own rules and pt-BR messages, with
`documents_later` (the files come afterwards, on the draft's page or through the API), and a valid row is
saved by the page's service, `case_save_draft`, as the RT's draft. A row becomes one draft or creates nothing;
the other rows do not depend on it.

A file sent twice does not file twice: a row whose installation already has a draft of the same RT is refused
with a link to that draft (and one whose draft was sent meets the one-request-under-way rule instead).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gdportal.brdocs import mask_name, only_digits
from gdportal.cases.choices import CaseKind, CaseState
from gdportal.cases.models import Case
from gdportal.cases.services import RuleBroken
from gdportal.csvimport import FALSE, TRUE, choice_map, fold, parse_csv
from gdportal.registry.models import Debt, Installation, LookupAudit

from . import services
from .forms import REQUEST_PAGE_END, REQUEST_PAGE_ORDER, AccessRequestForm
from .selectors import customers_served

# 1,000 rows of the template are about 400 KB: a file larger than this is not a list of requests.
MAX_BYTES = 1024 * 1024
MAX_ROWS = 1000
INSTALLATION = "installation"
# The form's fields a filer types (the holder's name and CPF/CNPJ are the registry's), in the page's order.
COLUMNS = [INSTALLATION] + [
    name
    for name in REQUEST_PAGE_ORDER + REQUEST_PAGE_END
    if name in AccessRequestForm.base_fields and name not in ("holder_name", "document")
]
BOOLEAN_COLUMNS = {"declaration", "coordinates_confirmed", "fast_track_term", "grid_zero"}
TICKED = TRUE | {"x", "on"}
EXAMPLE_INSTALLATION = "3012345678"
EXAMPLE = {
    INSTALLATION: EXAMPLE_INSTALLATION,
    "reason": "micro_le10",
    "installation_class": "residential",
    "cep": "30160-011",
    "street": "Rua da Bahia",
    "street_number": "1000",
    "complement": "Sala 2",
    "district": "Centro",
    "municipality": "Belo Horizonte",
    "uf": "MG",
    "phone": "(31) 3333-4444",
    "mobile": "(31) 98888-7777",
    "email": "titular@example.com",
    "latitude": "-19,9200",
    "longitude": "-43,9400",
    "power_kw": "8,5",
    "source": "solar",
    "request_type": "without_increase",
    "modality": "local",
    "requester_name": "Paulo Instalador",
    "requester_phone": "(31) 97777-6666",
    "requester_email": "paulo@example.com",
    "other_info": "",
    "gfc_form": "",
    "gfc_bank": "",
    "declaration": "sim",
}


class Refused(Exception):
    """The file as a whole cannot be used: nothing was checked, nothing created."""


class TooManyLookups(Refused):
    """The file's unknown installation numbers would pass the RT's hourly allowance of failed lookups."""


def column_required(name):
    return name == INSTALLATION or AccessRequestForm.base_fields[name].required


def column_label(name):
    if name == INSTALLATION:
        return capfirst(Installation._meta.get_field("number").verbose_name)
    return AccessRequestForm.base_fields[name].label


def column_choices(name):
    """[(code, label)] a column takes, or [] for free text."""
    if name == INSTALLATION:
        return []
    return [
        (value, label)
        for value, label in getattr(AccessRequestForm.base_fields[name], "choices", [])
        if value
    ]


def template_csv():
    """The header and one example row, `;`-separated, with a BOM: a pt-BR spreadsheet opens it as columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE.get(name, "") for name in COLUMNS])
    return "\ufeff" + out.getvalue()


def read_upload(data):
    """The file's request rows as [(line, {column: text})], or Refused with what to fix."""
    if len(data) > MAX_BYTES:
        raise Refused(_("The file may have up to %(max)s MB.") % {"max": MAX_BYTES // 2**20})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused(
            _("The file is not UTF-8 text. In the spreadsheet, save it as “CSV UTF-8” and send it again.")
        ) from None
    rows = []
    try:
        fieldnames, reader = parse_csv(text)
        _check_header(fieldnames)
        for line, row in reader:
            if _blank(row):
                continue  # a line a spreadsheet left with only separators (";;;;")
            rows.append((line, row))
            if len(rows) > MAX_ROWS:
                raise Refused(
                    _("The file has more than %(max)s requests: split it into smaller files.")
                    % {"max": MAX_ROWS}
                )
    except csv.Error as exc:
        raise Refused(_("The file could not be read as CSV: %(error)s") % {"error": exc}) from None
    if not rows:
        raise Refused(_("The file has no requests: fill in one row per request below the header."))
    return rows


def _blank(row):
    # Values past the header's last column come as a list under the key None.
    values = [value for key, value in row.items() if key is not None] + list(row.get(None) or [])
    return not any((value or "").strip() for value in values)


def _check_header(fieldnames):
    missing = [name for name in COLUMNS if name not in fieldnames and column_required(name)]
    # A nameless column is the empty one a spreadsheet leaves after a trailing separator: ignored.
    unknown = [name for name in fieldnames if name and name not in COLUMNS]
    problems = []
    if missing:
        problems.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})
    if problems:
        raise Refused(
            _(
                "The header does not match the template (%(problems)s). Download the template and keep its "
                "first line."
            )
            % {"problems": "; ".join(problems)}
        )


@dataclass
class RowResult:
    line: int
    number: str
    holder: str = ""  # masked unless the RT serves the holder, as on the page
    errors: list = field(default_factory=list)  # (column, message); column "" for the row as a whole
    case: Case | None = None
    draft_pk: int | None = None  # the RT's earlier draft for this installation

    def error(self, column, message):
        self.errors.append((column, str(message)))

    @property
    def created(self):
        return self.case is not None


def bulk_file_drafts(*, rows, by, ip=None):
    """Check every row (from read_upload) and save the valid ones as `by`'s drafts: [RowResult] in order.

    Raises TooManyLookups, creating nothing, when the file's unknown installation numbers would take the RT
    past the hourly allowance: the report says which numbers exist, so it is throttled like the search.
    """
    if not by.is_rt:
        raise PermissionDenied
    results = [RowResult(line=line, number=only_digits(row.get(INSTALLATION) or "")) for line, row in rows]
    _check_numbers(results)
    wanted = {result.number for result in results if result.number and not result.errors}
    found = {
        inst.number: inst
        for inst in Installation.objects.for_user(by).select_related("customer").filter(number__in=wanted)
    }
    unknown = wanted - found.keys()
    _check_allowance(by, ip, len(unknown))
    maps = _choice_maps()
    audits = []
    with transaction.atomic():
        # A second upload of the same file (a double click, a retry) waits here for the first, then finds its
        # drafts. Locked in one order, so two files naming the same installations cannot deadlock.
        ids = list(
            Installation.objects.select_for_update()
            .filter(pk__in=[inst.pk for inst in found.values()])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        known = _Known(by, ids, {inst.customer_id for inst in found.values()})
        for result, (_line, row) in zip(results, rows, strict=True):
            inst = found.get(result.number)
            if inst is None:
                if result.number in unknown:
                    result.error(
                        INSTALLATION, _("Installation %(number)s not found.") % {"number": result.number}
                    )
                    audits.append(_audit(by, ip, result.number, None))
                continue
            if inst.customer_id not in known.served:
                audits.append(_audit(by, ip, result.number, inst.customer))
            _check_row(result, row, inst, known, by, maps)
        LookupAudit.objects.bulk_create(audits)
    return results


def _check_numbers(results):
    first_line = {}
    label = column_label(INSTALLATION)
    for result in results:
        if not result.number:
            result.error(INSTALLATION, _("Fill in the field “%(label)s”.") % {"label": label})
        elif len(result.number) != 10:
            result.error(INSTALLATION, _("must have %(digits)s digits") % {"digits": 10})
        elif result.number in first_line:
            # One request per installation: the file's second row for it is a mistake, not a second request.
            result.error(
                INSTALLATION, _("repeated (first on line %(line)s)") % {"line": first_line[result.number]}
            )
        else:
            first_line[result.number] = result.line


def _check_allowance(user, ip, unknown):
    if not unknown:
        return
    limit = settings.GD_RT_LOOKUPS_PER_HOUR
    failed = LookupAudit.objects.filter(
        kind=LookupAudit.Kind.BULK_ROW, succeeded=False, created_at__gte=timezone.now() - timedelta(hours=1)
    )
    if failed.filter(user=user).count() + unknown > limit or (
        ip and failed.filter(ip=ip).count() + unknown > limit * 3
    ):
        raise TooManyLookups(
            ngettext(
                "%(count)s installation number in this file was not found: more than this hour's "
                "allowance. Check the numbers and send the file again later.",
                "%(count)s installation numbers in this file were not found: more than this hour's "
                "allowance. Check the numbers and send the file again later.",
                unknown,
            )
            % {"count": unknown}
        )


def _audit(user, ip, number, customer):
    return LookupAudit(
        user=user,
        ip=ip,
        kind=LookupAudit.Kind.BULK_ROW,
        query=number,
        customer=customer,
        succeeded=customer is not None,
    )


class _Known:
    """What the rows need from the database, in three queries for the whole file rather than per row."""

    def __init__(self, user, installation_ids, customer_ids):
        self.served = customers_served(user, customer_ids)
        self.indebted = set(
            Debt.objects.filter(
                customer_id__in=customer_ids, due_date__lt=timezone.localdate(), amount__gt=0
            ).values_list("customer_id", flat=True)
        )
        self.drafts = dict(
            Case.objects.filter(
                filed_by=user,
                kind=CaseKind.ACCESS,
                state=CaseState.DRAFT,
                installation_id__in=installation_ids,
            )
            .order_by("id")  # the newest last: the one the report links to
            .values_list("installation_id", "pk")
        )


def _choice_maps():
    """{column: {folded code or label: code}}: 'solar', 'Solar' and 'SOLAR' meet, as do the pt-BR and English
    labels ('Autoconsumo local', 'Local self-consumption')."""
    maps = {}
    for name in COLUMNS:
        choices = column_choices(name)
        if choices:
            maps[name] = {}
            for language in ("en", "pt-br"):
                with translation.override(language):
                    maps[name].update(choice_map([(value, str(label)) for value, label in choices]))
    return maps


def _form_data(result, row, maps):
    """The row as the page would post it. Unknown choices go through as typed: the form says what it says."""
    data = {}
    for name in COLUMNS[1:]:
        raw = (row.get(name) or "").strip()
        if name in BOOLEAN_COLUMNS:
            if fold(raw) in TICKED:
                data[name] = "on"
            elif raw and fold(raw) not in FALSE:
                result.error(name, _("not true or false: %(value)r") % {"value": raw})
            continue
        data[name] = maps[name].get(fold(raw), raw) if name in maps and raw else raw
    return data


def _check_row(result, row, inst, known, by, maps):
    customer = inst.customer
    full_view = customer.pk in known.served
    result.holder = customer.name if full_view else mask_name(customer.name)
    if any(value for value in row.get(None) or []):
        result.error("", _("This row has more values than the header has columns."))
    # What stops the page before its form opens (views_request._new), said for the row.
    if not inst.is_active:
        result.error(
            INSTALLATION,
            _("Installation %(number)s is closed and cannot receive generation.") % {"number": inst.number},
        )
    if customer.pk in known.indebted:
        result.error(INSTALLATION, _("The holder has overdue debts; settle them before requesting access."))
    if inst.pk in known.drafts:
        result.draft_pk = known.drafts[inst.pk]
        result.error(
            INSTALLATION,
            _(
                "You already have a draft for installation %(number)s: complete that one instead of filing "
                "again."
            )
            % {"number": inst.number},
        )
    before = len(result.errors)
    data = _form_data(result, row, maps)
    # A column _form_data could not read ('talvez' in declaration) keeps that message, not the form's own.
    unread = {column for column, _message in result.errors[before:]}
    form = AccessRequestForm(
        data=data,
        customer=customer,
        installation=inst,
        full_view=full_view,
        user=by,
        documents_later=True,
    )
    form.instance.filed_by = by
    form.instance.rt = by
    form.is_valid()
    for name, messages in form.errors.items():
        if name in unread:
            continue
        for message in messages:
            result.error("" if name == "__all__" else name, message)
    if result.errors:
        return
    try:
        result.case = services.case_save_draft(case=form.save(), by=by)
    except RuleBroken as exc:
        for name, message in exc.errors.items():
            result.error(name if name in COLUMNS else "", message)
    except services.ServiceError as exc:
        result.error("", str(exc))
