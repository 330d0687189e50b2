from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gdportal import ratelimit
from gdportal.accounts.forms import AprLoginForm, AprPasswordResetForm
from gdportal.cases.reasons_services import case_panel_context
from gdportal.cases.services import ServiceError
from gdportal.clientip import client_ip
from gdportal.generation.documents import generated_documents
from gdportal.generation.models import GenerationData, InverterRow
from gdportal.generation.rules import data_totals
from gdportal.middleware import accepts_uploads
from gdportal.registry.audit import lookup_record, order_search_allowed
from gdportal.registry.inverters import inverter_warnings
from gdportal.registry.models import LookupAudit
from gdportal.uploads import install_upload_limit
from gdportal.web import captcha

from . import services_orders, services_reanalysis, services_registration
from .documents import LABELS
from .forms import (
    AprOrderForm,
    AprSetPasswordForm,
    OrderLookupForm,
    OrderSearchForm,
    RTRegistrationForm,
    UploadForm,
)
from .models import AprOrder
from .password import apr_password_reset_request
from .rules import ORDER_STATES, UPLOAD_STATES
from .search import LIST_COLUMNS, KeysetPage, order_sort, search_orders
from .selectors import case_for_order, case_versions, checklist, current_order, rt_title
from .tokens import apr_password_token

APR_SESSION_FLAG = "apr_realm"


class AprLoginView(auth_views.LoginView):
    """APR Web sign-in by CPF with the APR password (the seed keeps it apart from Atende's)."""

    form_class = AprLoginForm
    template_name = "aprweb/login.html"
    next_page = reverse_lazy("aprweb:orders")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.session.get(APR_SESSION_FLAG):
            return redirect("aprweb:orders")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        # Signing in to Atende with the e-mail does not open APR Web: only this login sets the flag.
        self.request.session[APR_SESSION_FLAG] = True
        return response


def apr_login_required(view):
    @login_required(login_url="aprweb:login")
    def wrapper(request, *args, **kwargs):
        if not (request.session.get(APR_SESSION_FLAG) and request.user.is_rt):
            return redirect(f"{reverse('aprweb:login')}?next={request.path}")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@apr_login_required
@require_GET
def home(request):
    return redirect("aprweb:orders")


@require_http_methods(["GET", "POST"])
def register(request):
    form = RTRegistrationForm(request.POST or None, text_challenge=captcha.text_mode_requested(request))
    if request.method == "POST" and form.is_valid():
        registration = services_registration.rt_registration_submit(registration=form.save(commit=False))
        return render(request, "aprweb/register_done.html", {"registration": registration})
    return render(
        request, "aprweb/register.html", {"form": form}, status=400 if form.is_bound and form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def set_password(request, uidb64, token):
    User = get_user_model()
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)), kind=User.Kind.RT)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError, ValidationError):
        user = None
    if user is None or not apr_password_token.check_token(user, token):
        return render(request, "aprweb/set_password.html", {"invalid": True}, status=400)
    form = AprSetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user.set_apr_password(form.cleaned_data["password1"])
        user.save(update_fields=["apr_password"])
        # Whoever holds the link owns the mailbox: the lockout of failed sign-ins by this CPF ends here too
        # ("Desbloquear meu acesso"). Failures count under the CPF's digits (accounts.identifiers).
        axes_reset(username=user.cpf)
        messages.success(request, _("APR Web password saved. Sign in with your CPF."))
        return redirect("aprweb:login")
    return render(request, "aprweb/set_password.html", {"form": form})


RESET_WINDOW = 60 * 60


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """'Esqueci minha senha': the same answer for any CPF; throttled per address (told) and per CPF
    (silently), as Atende's reset (accounts.views.PortalPasswordResetView)."""
    form = AprPasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        limit = settings.GD_PASSWORD_RESET_PER_ADDRESS
        if ratelimit.exceeded(
            "apr-password-reset-address", client_ip(request), limit=limit, window=RESET_WINDOW
        ):
            form.add_error(
                None, _("Too many password reset requests from your connection. Try again in an hour.")
            )
            return render(request, "aprweb/password_reset.html", {"form": form}, status=429)
        cpf = form.cleaned_data["cpf"]
        limit = settings.GD_PASSWORD_RESET_PER_EMAIL
        if not ratelimit.exceeded("apr-password-reset-cpf", cpf, limit=limit, window=RESET_WINDOW):
            apr_password_reset_request(cpf=cpf)
        return redirect("aprweb:password_reset_done")
    return render(request, "aprweb/password_reset.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def password_reset_done(request):
    return render(request, "aprweb/password_reset_done.html")


@require_GET
def unlock(request):
    """'Desbloquear meu acesso': what the lockout is and how to end it (wait, or choose a new password)."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(
        request, "aprweb/unlock.html", {"minutes": minutes, "failures": settings.AXES_FAILURE_LIMIT}
    )


@apr_login_required
@require_GET
def orders(request):
    form = OrderSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = KeysetPage(
        search_orders(request.user, data).only(*LIST_COLUMNS),
        order_sort(data),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    # The filters the page links keep; the cursor is the link's own (and an old ?page= is dropped).
    query = request.GET.copy()
    for key in ("after", "before", "page"):
        query.pop(key, None)
    # The filters as typed: the form's markup (with its errors) is a function of these alone, and a copy is
    # kept under them (templates/aprweb/orders.html) — the next page of the same search shows the same form.
    typed = (form.is_bound, *(tuple(request.GET.getlist(name)) for name in form.fields))
    return render(
        request,
        "aprweb/orders.html",
        {"form": form, "page": page, "query": query.urlencode(), "typed": typed},
    )


@apr_login_required
@require_http_methods(["GET", "POST"])
def order_new(request):
    lookup = OrderLookupForm(request.POST or request.GET or None)
    case = None
    if lookup.is_bound and not order_search_allowed(request):
        return render(request, "aprweb/order_new.html", {"lookup": lookup, "throttled": True}, status=429)
    if lookup.is_bound and lookup.is_valid():
        case = case_for_order(
            rt=request.user,
            protocol=lookup.cleaned_data["protocol"],
            document=lookup.cleaned_data["document"],
            claim_code=lookup.cleaned_data["claim_code"],
        )
        if "register" not in request.POST:
            lookup_record(
                request,
                kind=LookupAudit.Kind.ORDER_SEARCH,
                query=lookup.cleaned_data["protocol"],
                customer=case.customer if case else None,
                succeeded=case is not None,
            )
        if case is None:
            # One message whether the protocol exists or not: a miss tells a guesser nothing.
            lookup.add_error(
                None,
                _(
                    "No case with this protocol and CPF/CNPJ awaits an APR order from you. Check the "
                    "data, whether the NS was issued and, for a request the customer filed, the claim "
                    "code the customer received."
                ),
            )
    form = None
    if case is not None:
        initial = {
            "phone": case.phone,
            "street": case.street,
            "street_number": case.street_number,
            "district": case.district,
            "cep": case.cep_display,
            "municipality": case.municipality,
            "activity_type": case.installation_class,
            "request_type": "analyze_gd",
            "project_type": case.installation.voltage if case.installation_id else "BT",
            "demand_kva": case.power_kw,
        }
        form = AprOrderForm(
            request.POST if "register" in request.POST else None,
            initial=initial,
            title=rt_title(request.user),
        )
        if "register" in request.POST and form.is_valid():
            try:
                order = services_orders.order_register(
                    case=case,
                    rt=request.user,
                    order=form.save(commit=False),
                    claim_code=lookup.cleaned_data["claim_code"],
                )
            except services_orders.OrderExists as exc:
                messages.info(request, str(exc))
                return redirect("aprweb:order", pk=exc.order.pk)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Order registered. Now attach the documents."))
                return redirect("aprweb:order", pk=order.pk)
    return render(
        request,
        "aprweb/order_new.html",
        {"lookup": lookup, "case": case, "form": form},
        status=400 if (lookup.errors or (form and form.errors)) else 200,
    )


def _order_for(user, pk):
    return get_object_or_404(AprOrder.objects.for_user(user).select_related("case", "case__customer"), pk=pk)


def _order_context(order, *, versions=None, generated=None):
    case = order.case
    rows = checklist(case, order, versions=versions, generated=generated)
    latest_order = current_order(case)
    pending = [row for row in rows if row.pending]
    return {
        "order": order,
        "case": case,
        "rows": rows,
        "missing": [row.kind for row in rows if row.missing],
        "is_current": latest_order is not None and latest_order.pk == order.pk,
        "can_upload": case.state in UPLOAD_STATES,
        "can_submit": case.state in ORDER_STATES,
        # Pendências stay open until a new version is sent: the order is not complete while any is.
        "pending": pending,
        "pending_labels": ", ".join(str(row.label) for row in pending),
    }


@apr_login_required
@require_GET
def order_detail(request, pk):
    order = _order_for(request.user, pk)
    case = order.case
    # Read once, used thrice: the data step decides the checklist's kinds, and the versions read for the
    # checklist hold the generated documents too.
    generation = GenerationData.objects.filter(case=case).first()
    versions = case_versions(case)
    context = _order_context(order, versions=versions, generated=generation is not None)
    context["events"] = case.events.order_by("created_at", "id")
    context["clocks"] = case.deadlines.filter(state__in=["open", "lapsed"]).order_by("due_at")
    context["reasons_panel"] = case_panel_context(case, request.user)
    context["generation"] = generation
    context["generation_totals"] = data_totals(generation) if generation else None
    # What the portal wrote from the data step (SPEC §16), and the INMETRO table's warnings on its inverters
    # (the inverters are rows of the data: none without it).
    context["generated"] = generated_documents(case, versions)
    rows = (
        InverterRow.objects.filter(data=generation).only("manufacturer", "model", "inmetro")
        if generation
        else []
    )
    context["inverter_warnings"] = inverter_warnings(rows)
    return render(request, "aprweb/order_detail.html", context)


@accepts_uploads(files=1)
@csrf_exempt
@apr_login_required
@require_POST
def order_upload(request, pk, kind):
    install_upload_limit(request)
    return _upload(request, pk, kind)


@csrf_protect
def _upload(request, pk, kind):
    order = _order_for(request.user, pk)
    if kind not in LABELS:
        raise Http404
    form = UploadForm(request.POST, request.FILES, kind=kind)
    error = None
    if form.is_valid():
        try:
            services_orders.order_upload(
                order=order,
                kind=kind,
                uploaded=form.cleaned_data["file"],
                by=request.user,
            )
        except ServiceError as exc:
            error = str(exc)
        except ValidationError as exc:  # a kind not in this order's checklist; the file, at the field
            error = " ".join(exc.messages)
    else:
        error = " ".join(form.errors.get("file", [])) or _("Choose a file.")
    if request.htmx:
        context = _order_context(order)
        context.update(upload_error=error, error_kind=kind)
        # htmx swaps only 2xx answers; the error is in the fragment, next to its row.
        return render(request, "aprweb/_checklist.html", context)
    if error:
        messages.error(request, f"{LABELS[kind]}: {error}")
    else:
        messages.success(request, _("%(kind)s attached.") % {"kind": LABELS[kind]})
    return redirect("aprweb:order", pk=order.pk)


@apr_login_required
@require_GET
def order_findings(request, pk, version):
    """The automatic findings of one version (SPEC §14): the checklist polls this while the checks run."""
    order = _order_for(request.user, pk)
    version = get_object_or_404(order.case.documents.prefetch_related("findings"), pk=version)
    return render(request, "aprweb/_findings.html", {"order": order, "version": version})


@apr_login_required
@require_POST
def order_submit(request, pk):
    order = _order_for(request.user, pk)
    try:
        case = services_orders.order_submit(order=order, by=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        due = timezone.localtime(case.technical_clock.due_at)
        messages.success(
            request,
            _("Order sent to analysis. Cemig's answer is expected by %(date)s.")
            % {"date": date_format(due, "d/m/Y")},
        )
    return redirect("aprweb:order", pk=order.pk)


@login_required
@require_http_methods(["GET", "POST"])
def reanalysis(request, protocol):
    """Atende's 'Reanálise do projeto/processo elétrico' for a rejected or lapsed case (SPEC §6.2)."""
    from gdportal.cases.choices import CaseState
    from gdportal.cases.selectors import case_for_user

    case = case_for_user(request.user, protocol)
    if case.state not in (CaseState.TECHNICAL_REJECTED, CaseState.EXPIRED):
        raise Http404
    if request.method == "POST":
        try:
            services_reanalysis.case_reanalysis_request(
                case=case, by=request.user, rejected_ns=request.POST.get("ns", "").strip()
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Re-analysis requested: a new NS was issued."))
            return redirect("atende:status_detail", protocol=protocol)
    return render(request, "aprweb/reanalysis.html", {"case": case})
