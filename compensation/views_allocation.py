"""Atende > Mini/Micro GD > Sistema de compensação (SPEC §7.1), the titular's side: their generating units
with every registration and allocation ever in force, and the seed's "Cadastramento de UC recebedora" form.

Only the titular of a generating unit files (a customer account whose registry customer owns the unit):
RTs and staff are refused (403); another customer's unit does not exist for them (404). Every change goes
through compensation.services.
"""

from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from gdportal.brdocs import format_document
from gdportal.cases.held import held_keep, held_release
from gdportal.cases.services import RuleBroken, ServiceError
from gdportal.middleware import accepts_uploads
from gdportal.uploads import install_upload_limit

from .allocation_rules import (
    check_allocation,
    default_unit_type,
    is_fast_track,
    month_start,
    needs_legal_instrument,
)
from .forms_allocation import MAX_ROWS, AllocationRequestForm, row_formset, service_rows
from .models import Allocation, AllocationSet, AllocationStatus, Generator
from .services import LEGAL_INSTRUMENT, AllocationRuleBroken, allocation_request

VIEW_PERMISSION = "compensation.view_allocationset"


def titular_required(view):
    """Signed-in customer accounts only: the titular files (SPEC §7.1); staff work in the admin."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.is_staff or not user.is_customer or not user.customer_id:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def generators_of(user):
    return Generator.objects.filter(installation__customer_id=user.customer_id).select_related(
        "installation__customer", "case"
    )


def allocation_sets_for(user):
    """The registrations a user may open: staff with the permission all of them, a customer their own."""
    sets = AllocationSet.objects.select_related("generator__installation")
    if not user.is_authenticated or not user.is_active:
        return sets.none()
    if user.is_staff:
        return sets if user.has_perm(VIEW_PERMISSION) else sets.none()
    if user.is_customer and user.customer_id:
        return sets.filter(generator__installation__customer_id=user.customer_id)
    return sets.none()


def in_force(allocation_set, cycle):
    return (
        allocation_set.status == AllocationStatus.ACCEPTED
        and allocation_set.first_cycle is not None
        and allocation_set.first_cycle <= cycle
        and (allocation_set.last_cycle is None or allocation_set.last_cycle >= cycle)
    )


# --- the titular's units and registrations -----------------------------------------------------------------


@titular_required
@require_GET
def home(request):
    generators = list(generators_of(request.user).order_by("installation__number"))
    sets = (
        AllocationSet.objects.filter(generator__in=generators)
        .select_related("remainder_to")
        .prefetch_related(Prefetch("rows", queryset=Allocation.objects.select_related("installation")))
        .order_by("-requested_at", "-id")
    )
    by_generator = {}
    for allocation_set in sets:
        by_generator.setdefault(allocation_set.generator_id, []).append(allocation_set)
    cycle = month_start(timezone.localdate())
    units = []
    for generator in generators:
        history = by_generator.get(generator.pk, [])
        for allocation_set in history:
            allocation_set.in_force_now = in_force(allocation_set, cycle)
            allocation_set.never_in_force = (
                allocation_set.last_cycle is not None
                and allocation_set.first_cycle is not None
                and allocation_set.last_cycle < allocation_set.first_cycle
            )
        units.append(
            {
                "generator": generator,
                "history": history,
                "current": next((s for s in history if s.in_force_now), None),
                "pending": next((s for s in history if s.status == AllocationStatus.PENDING), None),
                "fast_track": is_fast_track(generator),
            }
        )
    return render(
        request,
        "compensation/allocation_home.html",
        {"units": units, "notice_days": settings.GD_ALLOCATION_NOTICE_DAYS},
    )


# --- Cadastramento de UC recebedora ------------------------------------------------------------------------


@accepts_uploads(files=1)
@csrf_exempt
@titular_required
@require_http_methods(["GET", "POST"])
def register(request, installation):
    install_upload_limit(request)
    return _register(request, installation)


@contextmanager
def _held_file(row):
    """An instrument kept from a failed submit, opened as an upload for the service (which checks it anew)."""
    if row is None:
        yield None
        return
    with default_storage.open(row.file.name, "rb") as stored:
        yield File(stored.file, name=row.original_name)


def _initial(generator, user):
    customer = generator.installation.customer
    return {
        "unit_type": default_unit_type(generator),
        "voltage": generator.installation.voltage,
        "contact_name": customer.name,
        "contact_phone": customer.phone or user.phone,
        "contact_email": customer.email or user.email,
    }


@csrf_protect
def _register(request, installation):
    generator = get_object_or_404(generators_of(request.user), installation__number=installation)
    context = {
        "generator": generator,
        "customer": generator.installation.customer,
        "document": format_document(generator.installation.customer.document),
        "fast_track": is_fast_track(generator),
    }
    if request.method != "POST":
        form = AllocationRequestForm(user=request.user, initial=_initial(generator, request.user))
        return _render(request, context, form, row_formset())
    form = AllocationRequestForm(request.POST, request.FILES, user=request.user)
    formset = row_formset(request.POST)
    if "add_row" in request.POST:
        return _add_row(request, context, form, formset)
    # Both are validated (no short circuit), so the fields and the rows show their messages together.
    if form.is_valid() & formset.is_valid():
        done = _file(request, generator, form, formset)
        if done is not None:
            return done
    else:
        _preview_rules(generator, form, formset)
    _mark_rows(form, formset)
    if form.verified_instrument is not None:
        form.held = held_keep(
            by=request.user, uploads=[(LEGAL_INSTRUMENT, form.verified_instrument)], held=form.held
        )
    return _render(request, context, form, formset, status=400)


def _add_row(request, context, form, formset):
    """ "Inserir registro" without JavaScript: the same page with one more empty row and everything typed
    kept — no message, nothing judged yet (the file chosen is checked and held, as on a failed submit)."""
    form.is_valid()
    formset.is_valid()
    held = form.held
    if form.verified_instrument is not None:
        held = held_keep(by=request.user, uploads=[(LEGAL_INSTRUMENT, form.verified_instrument)], held=held)
    fresh = AllocationRequestForm(user=request.user, initial=form.typed(), held=held)
    typed_rows = [row.typed() for row in formset.forms]
    # At the limit no row is added: the list says how many it takes when the form is sent.
    rows = row_formset(initial=typed_rows + ([{}] if len(typed_rows) < MAX_ROWS else []))
    return _render(request, context, fresh, rows)


def _remainder_number(form, formset, rows):
    """The radio on each row names its index; the service wants that row's installation number."""
    chosen = (form.cleaned_data.get("remainder_to") or form["remainder_to"].data or "").strip()
    if not chosen:
        return None
    for index, row in rows:
        if str(index) == chosen:
            return row.installation
    return "?"  # a blank row was chosen: the rule says the unit must be one of those listed


def _rule_arguments(form, formset):
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    rows = service_rows(formset)
    return rows, {
        "unit_type": data.get("unit_type") or form["unit_type"].data or "",
        "legal_form": data.get("legal_form") or "",
        "mode": data.get("mode") or form["mode"].data or "",
        "rows": [row for _index, row in rows],
        "remainder_to": _remainder_number(form, formset, rows),
    }


def _file(request, generator, form, formset):
    rows, arguments = _rule_arguments(form, formset)
    data = form.cleaned_data
    new_file = data.get("legal_instrument")
    held_row = None if new_file else form.held_instrument
    try:
        with _held_file(held_row) as held_file:
            allocation_request(
                generator=generator,
                by=request.user,
                voltage=data["voltage"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_mobile=data.get("contact_mobile") or "",
                contact_email=data["contact_email"],
                legal_instrument=new_file or held_file,
                **arguments,
            )
    except AllocationRuleBroken as exc:
        _put_errors(form, formset, rows, exc.row_errors, exc.field_errors)
    except RuleBroken as exc:
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
    except ServiceError as exc:
        form.add_error(None, str(exc))
    else:
        held_release(list(form.held.values()))
        messages.success(
            request,
            _(
                "Registration of the receiving units of installation %(number)s sent. Cemig's commercial "
                "analysis will answer by e-mail; until then the allocation in force stays as it is."
            )
            % {"number": generator.installation.number},
        )
        return redirect("compensation_atende:home")
    return None


def _preview_rules(generator, form, formset):
    """With other fields wrong, the rows are judged too, so every message shows on the first submit (the
    service judges them again when the form is sent)."""
    if not formset.is_valid():
        return
    rows, arguments = _rule_arguments(form, formset)
    held = form.held_instrument is not None or bool(form.cleaned_data.get("legal_instrument"))
    errors, _clean, _remainder = check_allocation(generator=generator, has_legal_instrument=held, **arguments)
    # A field that already says what is wrong with it is not told a second thing.
    field_errors = {
        name: texts for name, texts in errors.fields.items() if name is None or name not in form.errors
    }
    _put_errors(form, formset, rows, errors.rows, field_errors)


def _put_errors(form, formset, rows, row_errors, field_errors):
    for position, fields in row_errors.items():
        index = rows[position][0]
        for name, messages_ in fields.items():
            for message in messages_:
                formset.forms[index].add_error(name, message)
    for name, messages_ in field_errors.items():
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)


def _mark_rows(form, formset):
    """Rows with errors also put one line in the summary at the top (the page's title says "Erro" then)."""
    for message in formset.non_form_errors():
        form.add_error(None, message)
    if any(row.errors for row in formset.forms) and not form.errors.get("__all__"):
        form.add_error(
            None, _("Some rows of “Relação de instalações” need correcting: see the messages at each row.")
        )


def _render(request, context, form, formset, status=200):
    generator = context["generator"]
    row_messages = (
        [
            (index + 1, row[name].label, row[name].id_for_label, message)
            for index, row in enumerate(formset.forms)
            for name in row.fields
            for message in row.errors.get(name, [])
        ]
        if formset.is_bound
        else []
    )
    return render(
        request,
        "compensation/allocation_form.html",
        {
            **context,
            "form": form,
            "formset": formset,
            "row_messages": row_messages,
            "instrument_needed": needs_legal_instrument(generator, form["unit_type"].value()),
        },
        status=status,
    )


# --- the legal instrument, for the titular and the analysts ------------------------------------------------


@login_required
@require_GET
def legal_instrument(request, pk):
    """Served only here, to whom may see the registration (SPEC §10: never a public media URL)."""
    allocation_set = get_object_or_404(allocation_sets_for(request.user), pk=pk)
    if not allocation_set.legal_instrument:
        raise Http404
    try:
        handle = default_storage.open(allocation_set.legal_instrument.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=request.GET.get("inline") != "1",
        filename=allocation_set.legal_instrument_name or "instrumento.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
