"""Filing: pick the installation, fill the form, check your answers, send, get the receipt (SPEC §4.2–4.3)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from gdportal.brformats import number_br
from gdportal.cases import rules
from gdportal.cases.choices import DocumentKind
from gdportal.cases.documents import StorageUnavailable, latest_versions
from gdportal.cases.gfc import gfc_percentage
from gdportal.cases.held import held_keep
from gdportal.cases.selectors import draft_for_user, sent_draft_for_filer
from gdportal.cases.services import RuleBroken
from gdportal.middleware import accepts_uploads
from gdportal.registry.audit import lookup_record, registry_lookup_allowed
from gdportal.registry.flow_inversion import compatible_power_for
from gdportal.registry.models import LookupAudit
from gdportal.uploads import install_upload_limit

from . import services
from .forms import AccessRequestForm, ConsultationForm, InstallationLookupForm
from .selectors import (
    customer_for_filer,
    customers_for_filer,
    filer_required,
    installation_for_filer,
    installations_for_filer,
    open_requests_for,
    sees_personal_data,
)

MODES = {"request": AccessRequestForm, "consultation": ConsultationForm}
# The request form takes at most one file per stage 1 document kind.
REQUEST_FILES = len(DocumentKind)


@filer_required
@require_http_methods(["GET"])
def lookup(request, mode="request"):
    form = InstallationLookupForm(request.GET or None)
    installations, customers = [], []
    if not request.GET and not request.user.is_rt:
        # A customer needs no search: their own installations are listed straight away.
        installations = installations_for_filer(request.user, "number", request.user.customer.number)
        customers = [request.user.customer]
    elif form.is_valid():
        if request.user.is_rt and not registry_lookup_allowed(request):
            return _throttled(request)
        kind, value = form.cleaned_data["q"]
        installations = list(installations_for_filer(request.user, kind, value))
        customers = list(customers_for_filer(request.user, kind, value))
        if request.user.is_rt:
            lookup_record(
                request,
                kind=LookupAudit.Kind.SEARCH,
                query=value,
                customer=customers[0] if customers else None,
                succeeded=bool(installations or customers),
            )
        if not installations and not customers:
            messages.warning(request, _("No installation found for this search."))
    if mode == "request":
        under_way = open_requests_for(request.user, installations)
        for inst in installations:
            inst.open_case, inst.open_case_visible = under_way.get(inst.pk, (None, False))
    return render(
        request,
        "atende/request_lookup.html",
        {
            "form": form,
            "installations": installations,
            "customers": customers,
            "mode": mode,
            "mask": request.user.is_rt,
        },
    )


def _throttled(request):
    return render(request, "atende/lookup_throttled.html", status=429)


def _render_form(request, form, mode, draft=None, status=None):
    # The power that skips the flow-inversion analysis (SPEC §7.3), from the installation's readings (one
    # query). Consumption is the holder's personal data: not shown to an RT who does not serve them.
    flow_inversion = None
    figure = compatible_power_for(form.installation) if form.installation and form.full_view else None
    if figure:
        flow_inversion = {"power": number_br(figure.power_kw, 2), "cycles": figure.average.cycles}
    return render(
        request,
        "atende/request_form.html",
        {
            "form": form,
            "mode": mode,
            "draft": draft,
            "customer": form.customer,
            "installation": form.installation,
            "flow_inversion": flow_inversion,
        },
        status=status or (400 if form.is_bound and form.errors else 200),
    )


def _already_sent(request, case):
    messages.info(
        request, _("This request was already sent: protocol %(protocol)s.") % {"protocol": case.protocol}
    )
    return redirect("atende:receipt", protocol=case.protocol)


def _draft_or_sent(request, pk):
    """(draft, None), or (None, a redirect to the receipt) when the filer's draft was sent meanwhile."""
    try:
        return draft_for_user(request.user, pk), None
    except Http404:
        sent = sent_draft_for_filer(request.user, pk)
        if sent is None:
            raise
        return None, _already_sent(request, sent)


def _handle_form(request, form, mode, draft=None):
    if request.method != "POST":
        return _render_form(request, form, mode, draft)
    status = None
    if form.is_valid():
        try:
            case = services.case_save_draft(
                case=form.save(), by=request.user, uploads=form.attachments, held=form.held.values()
            )
        except services.AlreadySent as exc:
            return _already_sent(request, exc.case)
        except RuleBroken as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except services.ServiceError as exc:
            messages.error(request, str(exc))
            if isinstance(exc, StorageUnavailable):
                status = 503  # our failure, not the user's: monitoring counts it as one
        else:
            return redirect("atende:draft", pk=case.pk)
    # The form comes back: the files that passed the checks are kept for this user and shown as attached,
    # not lost with the browser's file inputs (gdportal/cases/held.py).
    if form.verified_uploads:
        form.held = held_keep(by=request.user, uploads=form.verified_uploads, held=form.held)
    return _render_form(request, form, mode, draft, status=status)


def _debts_block(request, customer, mode, full_view):
    debts = list(customer.overdue_debts()) if mode == "request" else []
    if debts:
        # An RT who does not serve the customer learns that debts block the request, not what they are.
        return render(
            request,
            "atende/debts.html",
            {"customer": customer, "debts": debts if full_view else None},
            status=409,
        )
    return None


def _open_request_block(request, installation, mode):
    """One access request under way per installation (SPEC §4.2, rules.open_access_request): say which."""
    if mode != "request" or installation is None:
        return None
    open_case, visible = open_requests_for(request.user, [installation]).get(installation.pk, (None, False))
    if open_case is None:
        return None
    return render(
        request,
        "atende/open_request.html",
        {
            "installation": installation,
            "open_case": open_case,
            "visible": visible,
            "message": rules.open_request_error(installation.number, open_case),
        },
        status=409,
    )


@accepts_uploads(files=REQUEST_FILES)
@csrf_exempt
@filer_required
@require_http_methods(["GET", "POST"])
def new_request(request, number, mode="request"):
    install_upload_limit(request)
    return _new(request, mode, installation=installation_for_filer(request.user, number))


@accepts_uploads(files=REQUEST_FILES)
@csrf_exempt
@filer_required
@require_http_methods(["GET", "POST"])
def new_without_installation(request, customer_number, mode="request"):
    install_upload_limit(request)
    return _new(request, mode, customer=customer_for_filer(request.user, customer_number))


@csrf_protect
def _new(request, mode, installation=None, customer=None):
    if installation is not None and not installation.is_active:
        messages.error(
            request,
            _("Installation %(number)s is closed and cannot receive generation.")
            % {"number": installation.number},
        )
        return redirect("atende:lookup" if mode == "request" else "atende:consultation_lookup")
    customer = customer or installation.customer
    full_view = sees_personal_data(request.user, customer)
    if not full_view:
        # An RT opening a customer's form is a registry lookup: audited and counted like a search.
        if not registry_lookup_allowed(request):
            return _throttled(request)
        lookup_record(
            request,
            kind=LookupAudit.Kind.FORM,
            query=installation.number if installation else customer.number,
            customer=customer,
        )
    blocked = _debts_block(request, customer, mode, full_view) or _open_request_block(
        request, installation, mode
    )
    if blocked:
        return blocked
    form = MODES[mode](
        request.POST or None,
        request.FILES or None,
        customer=customer,
        installation=installation,
        full_view=full_view,
        user=request.user,
    )
    form.instance.filed_by = request.user
    form.instance.rt = request.user if request.user.is_rt else None
    return _handle_form(request, form, mode)


@accepts_uploads(files=REQUEST_FILES)
@csrf_exempt
@filer_required
@require_http_methods(["GET", "POST"])
def edit_draft(request, pk):
    install_upload_limit(request)
    return _edit(request, pk)


@csrf_protect
def _edit(request, pk):
    draft, sent = _draft_or_sent(request, pk)
    if sent:
        return sent
    mode = "consultation" if draft.is_consultation else "request"
    form = MODES[mode](
        request.POST or None,
        request.FILES or None,
        instance=draft,
        customer=draft.customer,
        installation=draft.installation,
        full_view=sees_personal_data(request.user, draft.customer),
        user=request.user,
    )
    return _handle_form(request, form, mode, draft)


@filer_required
@require_http_methods(["GET", "POST"])
def confirm_draft(request, pk):
    draft, sent = _draft_or_sent(request, pk)
    if sent:
        return sent
    if request.method == "POST":
        try:
            case = services.case_submit(case=draft, by=request.user)
        except services.AlreadySent as exc:
            return _already_sent(request, exc.case)
        except services.DebtsOverdue as exc:
            full_view = sees_personal_data(request.user, draft.customer)
            return render(
                request,
                "atende/debts.html",
                {"customer": draft.customer, "debts": exc.debts if full_view else None},
                status=409,
            )
        except services.ServiceError as exc:
            messages.error(request, str(exc))
            return redirect("atende:draft", pk=draft.pk)
        messages.success(request, _("Request sent. Protocol %(protocol)s.") % {"protocol": case.protocol})
        return redirect("atende:receipt", protocol=case.protocol)
    return render(
        request,
        "atende/draft_confirm.html",
        {
            "case": draft,
            "documents": list(latest_versions(draft).values()),
            "gfc_percent": gfc_percentage(draft.power_kw) * 100 if draft.gfc_amount else None,
            "full_view": sees_personal_data(request.user, draft.customer),
        },
    )
