from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from gdportal import ratelimit
from gdportal.cases.choices import CANCELLABLE, CaseState
from gdportal.cases.documents import latest_versions
from gdportal.cases.extensions import case_panels, read_panel_presence, service_options
from gdportal.cases.flow import flow_studies_request as request_studies
from gdportal.cases.models import Case, DocumentVersion
from gdportal.cases.selectors import case_for_user, open_clocks_prefetch
from gdportal.clientip import client_ip

from . import services
from .catalogue import search
from .forms import CancelForm, PublicLookupForm
from .selectors import sees_personal_data


@require_GET
def service_search(request):
    query = request.GET.get("q", "").strip()
    results = search(query)
    return render(
        request,
        "atende/search.html",
        {"query": query, "results": results, "any_match": any(hit for _, hit in results)},
    )


@login_required
@require_GET
def gd_service(request):
    # Registered by each stage (gdportal.cases.extensions): atende's own, then the parecer's Vistoria and
    # Cancelamento, without this page importing them.
    options = [{"label": option.label, "url": reverse(option.url_name)} for option in service_options()]
    return render(request, "atende/gd.html", {"options": options})


STATUS_PAGE = 20
# What the status list shows of a case and of a draft (templates/atende/status_list.html): the list reads only
# these of the case's ~50 columns, which halves the queries' compiling and decoding (issue 15).
LISTED_CASE = ("id", "protocol", "kind", "ns", "state", "submitted_at", "installation__number")
LISTED_DRAFT = ("id", "kind", "holder_name", "updated_at")


def _first_page(cases):
    """Page 1 of `cases`. Most customers have fewer cases than a page: reading one row more than a page tells
    so, and then the page is that list, without the COUNT(*) a Paginator runs to number its pages."""
    rows = list(cases[: STATUS_PAGE + 1])
    if len(rows) <= STATUS_PAGE:
        return Paginator(rows, STATUS_PAGE).page(1)
    return Page(rows[:STATUS_PAGE], 1, Paginator(cases, STATUS_PAGE))


@login_required
@require_GET
def status_list(request):
    cases = (
        Case.objects.for_user(request.user)
        .filed()
        .select_related("installation")
        .only(*LISTED_CASE)
        .prefetch_related(open_clocks_prefetch())
        .order_by("-submitted_at", "-id")
    )
    number = request.GET.get("page")
    page = _first_page(cases) if number in (None, "", "1") else Paginator(cases, STATUS_PAGE).get_page(number)
    drafts = (
        Case.objects.for_user(request.user)
        .filter(state=CaseState.DRAFT)
        .only(*LISTED_DRAFT)
        .order_by("-updated_at")[:20]
    )
    return render(request, "atende/status_list.html", {"page": page, "drafts": drafts})


def _timeline(case):
    # The timeline does not name who acted (atende/_timeline.html): no join to the users.
    return list(case.events.order_by("created_at", "id"))


@login_required
@require_GET
def status_detail(request, protocol):
    case = case_for_user(request.user, protocol)
    # Whether each stage's panel may show anything, in one query: the panels with nothing to say run none.
    read_panel_presence(case)
    return render(
        request,
        "atende/status_detail.html",
        {
            "case": case,
            "events": _timeline(case),
            "documents": case.documents.select_related("uploaded_by"),
            "can_cancel": case.state in CANCELLABLE
            and not request.user.is_staff
            and services.can_cancel(case, request.user),
            "can_revoke_rt": services.can_revoke_rt(case, request.user),
            "is_holder": _is_holder(request.user, case),
            "full_view": sees_personal_data(request.user, case.customer),
            # The later stages' sections (the parecer, the inspection, the GFC), each read in a fixed number
            # of queries by the stage that registered it.
            "panels": case_panels(case, request.user),
        },
    )


def _is_holder(user, case):
    return not user.is_staff and user.customer_id == case.customer_id


@login_required
@require_http_methods(["GET", "POST"])
def rt_revoke(request, protocol):
    """The holder takes the case back from its RT (a new claim code goes to the holder)."""
    case = case_for_user(request.user, protocol)
    if not services.can_revoke_rt(case, request.user):
        raise PermissionDenied
    if request.method == "POST":
        services.case_rt_revoke(case=case, by=request.user)
        messages.success(
            request,
            _("The responsible technician no longer has access to this request. A new claim code was sent."),
        )
        return redirect("atende:status_detail", protocol=protocol)
    return render(request, "atende/rt_revoke.html", {"case": case})


@login_required
@require_GET
def receipt(request, protocol):
    case = case_for_user(request.user, protocol)
    return render(
        request,
        "atende/receipt.html",
        {
            "case": case,
            "documents": list(latest_versions(case).values()),
            "is_holder": _is_holder(request.user, case),
            "full_view": sees_personal_data(request.user, case.customer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, protocol):
    case = case_for_user(request.user, protocol)
    if not services.can_cancel(case, request.user) or request.user.is_staff:
        raise PermissionDenied
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_cancel(case=case, by=request.user, reason=form.cleaned_data["reason"])
        except services.ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The request %(protocol)s was cancelled.") % {"protocol": protocol})
        return redirect("atende:status_detail", protocol=protocol)
    return render(request, "atende/cancel.html", {"case": case, "form": form})


@login_required
@require_http_methods(["POST"])
def flow_studies_request(request, protocol):
    """ "Solicitar estudos de inversão de fluxo" (REN 1.000 art. 78): the holder or the RT asks."""
    case = case_for_user(request.user, protocol)
    try:
        request_studies(case=case, by=request.user)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Studies requested: Cemig has 10 business days to deliver them on this page.")
        )
    return redirect("atende:status_detail", protocol=protocol)


@xframe_options_sameorigin
@login_required
@require_GET
def document_download(request, pk):
    """Every file goes through here: the user must be allowed that file (DocumentVersion.objects.for_user),
    or it does not exist."""
    version = get_object_or_404(DocumentVersion.objects.for_user(request.user), pk=pk)
    try:
        handle = default_storage.open(version.file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    inline = request.GET.get("inline") == "1"
    response = FileResponse(
        handle, content_type=version.content_type, as_attachment=not inline, filename=version.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Failed lookups are counted per client address in windows of this many seconds (GD_PUBLIC_LOOKUP_LIMIT).
LOOKUP_WINDOW = 15 * 60


@require_http_methods(["GET", "POST"])
def public_lookup(request):
    """Anyone with the protocol and the holder's CPF/CNPJ sees the timeline, without personal data."""
    address = client_ip(request)
    if ratelimit.count("public-lookup", address, LOOKUP_WINDOW) >= settings.GD_PUBLIC_LOOKUP_LIMIT:
        return render(
            request, "atende/public_lookup.html", {"form": PublicLookupForm(), "blocked": True}, status=429
        )
    form = PublicLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = (
            Case.objects.filed()
            .prefetch_related(open_clocks_prefetch())
            .filter(protocol=form.cleaned_data["protocol"], document=form.cleaned_data["document"])
            .first()
        )
        if case is not None:
            return render(request, "atende/public_status.html", {"case": case, "events": _timeline(case)})
        ratelimit.hit("public-lookup", address, LOOKUP_WINDOW)
        form.add_error(None, _("No request found with this protocol and CPF/CNPJ."))
    return render(
        request,
        "atende/public_lookup.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
