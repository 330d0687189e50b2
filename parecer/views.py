"""Stage 3 in Atende, the customer's and the RT's side (SPEC §6.1 acceptance, §6.3 Vistoria, §6.4 cancel).

Every case is read through case_for_user (anyone else's protocol is a 404); who may act is decided by the
services too (PermissionDenied → 403), and every state change goes through them.
"""

from contextlib import contextmanager
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from gdportal.cases.choices import PARECER_CANCELLABLE, CaseKind, CaseState
from gdportal.cases.held import held_keep, held_release
from gdportal.cases.models import Case
from gdportal.cases.selectors import case_for_user
from gdportal.cases.services import RuleBroken, ServiceError
from gdportal.middleware import accepts_uploads
from gdportal.uploads import install_upload_limit

from .documents import PARECER_COPY, PARECER_COPY_MAX_BYTES
from .forms import InspectionForm, ParecerCancelForm
from .models import Parecer
from .services import current_parecer, inspection_blockers, is_holder, parecer_accept, parecer_cancel
from .services_inspection import current_inspection, inspection_request, may_request_inspection

# The cases the Vistoria page lists: those that may ask now, and those that soon may (accept first, works
# or payment pending), each with what stands in the way.
INSPECTION_LIST_STATES = [CaseState.PARECER_ISSUED, CaseState.PARECER_ACCEPTED, CaseState.INSPECTION_FAILED]


def atende_user_required(view):
    """Customers and RTs, signed in (anonymous users go to the sign-in page). Staff act in the admin."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _to_case(case):
    return redirect("atende:status_detail", protocol=case.protocol)


# --- Vistoria (SPEC §6.3) ----------------------------------------------------------------------------------


@atende_user_required
@require_GET
def inspection_list(request):
    cases = (
        Case.objects.for_user(request.user)
        .filter(kind=CaseKind.ACCESS, state__in=INSPECTION_LIST_STATES)
        .select_related("installation")
        .order_by("-submitted_at", "-id")
    )
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    # The rule reads two rows per case (its parecer, its validity): bounded by the page, not by the history.
    rows = [{"case": case, "blockers": inspection_blockers(case)} for case in page.object_list]
    return render(request, "parecer/inspection_list.html", {"page": page, "rows": rows})


# The copy of the parecer is one file of at most 3 MB, but the body limit allows two files' worth: a scan a
# little over the limit still reaches the form, which says so next to the field and keeps what was typed,
# instead of the bare "too much data" page (gdportal/middleware.py).
@accepts_uploads(files=2)
@csrf_exempt
@atende_user_required
@require_http_methods(["GET", "POST"])
def inspection_form(request, protocol):
    install_upload_limit(request, PARECER_COPY_MAX_BYTES)
    return _inspection_form(request, protocol)


@contextmanager
def _held_copy_file(row):
    """A copy kept from a failed submit, opened as an upload for inspection_request (which checks it anew)."""
    if row is None:
        yield None
        return
    with default_storage.open(row.file.name, "rb") as stored:
        yield File(stored.file, name=row.original_name)


@csrf_protect
def _inspection_form(request, protocol):
    case = case_for_user(request.user, protocol)
    if not may_request_inspection(case, request.user):
        raise PermissionDenied
    parecer = current_parecer(case)
    context = {"case": case, "parecer": parecer}
    blockers = inspection_blockers(case)
    if blockers:
        return render(request, "parecer/inspection_form.html", {**context, "blockers": blockers}, status=409)
    form = InspectionForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        # A second request (after a failed inspection) starts from what was typed the first time.
        initial_from=current_inspection(case) or case,
    )
    if request.method == "POST" and form.is_valid():
        new_copy = form.cleaned_data.get("copy")
        held_row = None if new_copy else form.held_copy
        try:
            with _held_copy_file(held_row) as held_file:
                inspection_request(
                    case=case,
                    by=request.user,
                    data=form.service_data(),
                    declaration=form.cleaned_data["declaration"],
                    attachment=new_copy or held_file,
                )
        except RuleBroken as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            held_release(list(form.held.values()))
            messages.success(
                request,
                _("Inspection requested for %(protocol)s. Cemig will schedule the visit and tell you.")
                % {"protocol": case.protocol},
            )
            return _to_case(case)
    if form.verified_copy is not None:
        # The browser does not send a chosen file twice: keep the checked copy for the next submit.
        form.held = held_keep(by=request.user, uploads=[(PARECER_COPY, form.verified_copy)], held=form.held)
    return render(
        request,
        "parecer/inspection_form.html",
        {**context, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Aceitar o parecer (SPEC §6.1, REN 1.000 art. 83) -------------------------------------------------------


@atende_user_required
@require_http_methods(["GET", "POST"])
def accept(request, protocol):
    case = case_for_user(request.user, protocol)
    if not is_holder(request.user, case):
        raise PermissionDenied
    parecer = current_parecer(case)
    if parecer is None or case.state != CaseState.PARECER_ISSUED:
        messages.info(request, _("This access opinion is not awaiting acceptance."))
        return _to_case(case)
    if request.method == "POST":
        try:
            parecer_accept(case=case, by=request.user)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("You accepted the access opinion of request %(protocol)s.") % {"protocol": case.protocol},
            )
        return _to_case(case)
    return render(request, "parecer/accept.html", {"case": case, "parecer": parecer})


# --- Cancelamento do parecer de acesso (SPEC §6.4) ---------------------------------------------------------


@atende_user_required
@require_GET
def cancel_list(request):
    """The titular's pareceres in force. An RT sees none: only the titular may cancel."""
    user = request.user
    cases = Case.objects.none()
    if user.customer_id:
        cases = (
            Case.objects.for_user(user)
            .filter(customer_id=user.customer_id, state__in=PARECER_CANCELLABLE)
            .select_related("installation")
            .prefetch_related(
                Prefetch(
                    "pareceres", queryset=Parecer.objects.order_by("-issued_at", "-id"), to_attr="newest"
                )
            )
            .order_by("-submitted_at", "-id")
        )
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    return render(request, "parecer/cancel_list.html", {"page": page, "is_customer": bool(user.customer_id)})


@atende_user_required
@require_http_methods(["GET", "POST"])
def cancel_confirm(request, protocol):
    case = case_for_user(request.user, protocol)
    if not is_holder(request.user, case):
        raise PermissionDenied
    if case.state not in PARECER_CANCELLABLE:
        messages.info(request, _("This request has no access opinion in force to cancel."))
        return _to_case(case)
    form = ParecerCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            parecer_cancel(case=case, by=request.user, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("The access opinion of request %(protocol)s was cancelled.") % {"protocol": case.protocol},
            )
        return _to_case(case)
    return render(
        request, "parecer/cancel.html", {"case": case, "parecer": current_parecer(case), "form": form}
    )
