"""Registration and technical analysts work here; every decision calls an aprweb.services_* function."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gdportal.admin_paging import CappedCountPaginator
from gdportal.admin_rows import LeanRowsMixin
from gdportal.admin_search import IndexedSearchMixin
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case, DocumentVersion
from gdportal.cases.services import RuleBroken, ServiceError
from gdportal.deadlines.models import Deadline
from gdportal.generation.documents import generated_documents
from gdportal.generation.models import GenerationData
from gdportal.generation.sheet import generation_sheet
from gdportal.middleware import accepts_uploads
from gdportal.registry.inverters import inverter_warnings

from . import selectors, services_registration, services_technical
from .deadline_kinds import RT_REGISTRATION_REVIEW
from .models import AprOrder, RTRegistration, TechnicalQueue
from .review_form import TechnicalReviewForm


def _with_study_upload(urls, name):
    """The review form carries the flow-inversion study (SPEC §15): its URL takes one file past the guard."""
    for pattern in urls:
        if getattr(pattern, "name", None) == name:
            accepts_uploads(pattern.callback, files=1)
    return urls


def _id_or_404(value):
    """An id from the URL or a form, or 404: 'abc' or '' must not reach the query (a ValueError, a 500)."""
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def _due(value):
    from django.utils.formats import date_format

    text = date_format(timezone.localtime(value), "d/m/Y H:i")
    if value < timezone.now():
        return format_html('<strong style="color:#b02a37">{} ({})</strong>', text, _("overdue"))
    return text


@admin.register(RTRegistration)
class RTRegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "cpf_display",
        "council",
        "council_number",
        "title",
        "status",
        "submitted_at",
        "due",
    ]
    list_filter = ["status", "council", "title"]
    search_fields = ["name", "=cpf", "email", "council_number"]
    change_form_template = "admin/aprweb/rtregistration/change_form.html"
    show_full_result_count = False

    def get_queryset(self, request):
        # The analysis deadline is the registration's clock (aprweb/deadline_kinds.py): one subquery, no
        # query per row.
        clock = Deadline.objects.of_model(RTRegistration).filter(
            subject_id=OuterRef("pk"), kind=RT_REGISTRATION_REVIEW.code
        )
        # (Not super(): it orders before the annotation exists.)
        return (
            RTRegistration._default_manager.get_queryset()
            .annotate(review_due=Subquery(clock.order_by("-started_at", "-id").values("due_at")[:1]))
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        return ["status", "review_due", "id"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in RTRegistration._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("CPF"), ordering="cpf")
    def cpf_display(self, obj):
        # Masked in the list: the full CPF is on the registration's own page.
        return obj.cpf_masked

    @admin.display(description=_("analysis due"), ordering="review_due")
    def due(self, obj):
        due = obj.review_due
        return _due(due) if obj.status == RTRegistration.Status.PENDING and due else "—"

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/<str:action>/",
                self.admin_site.admin_view(self.decide),
                name="aprweb_rtregistration_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {
            **(extra_context or {}),
            "can_decide": obj is not None
            and obj.status == "pending"
            and request.user.has_perm("aprweb.review_registration"),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def decide(self, request, pk, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        registration = get_object_or_404(RTRegistration, pk=pk)
        try:
            if action == "approve":
                services_registration.rt_registration_approve(registration=registration, by=request.user)
                messages.success(request, _("Registration approved; the three e-mails were queued."))
            elif action == "reject":
                services_registration.rt_registration_reject(
                    registration=registration, by=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Registration rejected; the RT was told."))
            else:
                raise PermissionDenied
        except ServiceError as exc:
            messages.error(request, str(exc))
        return redirect(reverse("admin:aprweb_rtregistration_change", args=[pk]))


_REVIEW_DONE = {
    "": _("Verdicts saved."),
    "approve": _("Project approved; the access opinion deadline started."),
    "suspend": _("Order suspended; the pending items were sent to the RT and the customer."),
    "reject": _("Order rejected."),
}


class RegionalFilter(admin.SimpleListFilter):
    title = _("regional office")
    parameter_name = "regional"

    def lookups(self, request, model_admin):
        from gdportal.registry.models import regional_offices

        return [(office, office) for office in regional_offices()]

    def queryset(self, request, queryset):
        return queryset.filter(regional=self.value()) if self.value() else queryset


@admin.register(AprOrder)
class AprOrderAdmin(LeanRowsMixin, IndexedSearchMixin, admin.ModelAdmin):
    list_display = [
        "protocol",
        "ns",
        "customer_name",
        "customer_number",
        "installation_number",
        "regional",
        "situation",
        "submitted_at",
        "answered_at",
    ]
    # No date_hierarchy and no AllValues filter: both scan the whole table for their choices. The period is
    # a list filter on fixed ranges; the regional offices come from the (small) registry.
    list_filter = ["situation", "request_type", RegionalFilter, ("submitted_at", admin.DateFieldListFilter)]
    # Searched through IndexedSearchMixin: 13 digits a protocol, 10 an NS or a customer/installation number,
    # anything else the beginning of the customer's name.
    search_fields = ["customer_name"]
    search_exact = {13: ["protocol"], 10: ["ns", "customer_number", "installation_number"]}
    search_prefix = "customer_name"
    list_select_related = False
    # Same order as the (situation|regional|rt, -submitted_at) indexes, so a filtered page is an index range.
    ordering = ["-submitted_at", "-id"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50
    raw_id_fields = ["case", "rt"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in AprOrder._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TechnicalQueue)
class TechnicalQueueAdmin(IndexedSearchMixin, admin.ModelAdmin):
    """Cases under technical analysis, oldest sent first; the page shows the checklist side by side with
    every version and takes the verdicts and the decision."""

    list_display = ["protocol", "holder_name", "reason", "power_kw", "ns", "sent_at"]
    list_filter = ["reason", "source", "modality"]
    search_fields = ["protocol"]
    search_exact = {13: ["protocol"], 10: ["ns"]}
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50

    def get_queryset(self, request):
        return selectors.technical_queue(request.user)

    @admin.display(description=_("waiting since"), ordering="state_changed_at")
    def sent_at(self, obj):
        return obj.state_changed_at

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("cases.technical_review")

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/<str:action>/",
                self.admin_site.admin_view(self.decide),
                name="aprweb_technicalqueue_decide",
            ),
            *_with_study_upload(super().get_urls(), "aprweb_technicalqueue_change"),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The checklist beside the document, every verdict and the decision on one form (SPEC §5.4)."""
        # This page replaces the admin's change form, and with it the admin's permission check.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        case = get_object_or_404(Case.objects.for_user(request.user), pk=_id_or_404(object_id))
        order = selectors.current_order(case)
        rows = selectors.checklist(case, order)
        can_decide = case.state == CaseState.TECHNICAL_REVIEW and request.user.has_perm(
            "cases.technical_review"
        )
        generation = GenerationData.objects.filter(case=case).first()
        form = TechnicalReviewForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            rows=rows,
            case=case,
            generation=generation,
        )
        status = 200
        if request.method == "POST":
            if not request.user.has_perm("cases.technical_review"):
                raise PermissionDenied
            if form.is_valid():
                try:
                    services_technical.case_technical_review(
                        case=case,
                        by=request.user,
                        verdicts=form.verdicts(),
                        decision=form.cleaned_data["decision"],
                        note=form.cleaned_data["note"],
                        grid_works_needed=form.cleaned_data["grid_works_needed"],
                        generation_verdict=form.data_verdict_given(),
                        **form.flow_kwargs(),
                        reasons=list(form.cleaned_data["reasons"]),
                        verdict_reasons=form.verdict_reasons(),
                        new_facts=form.new_facts(),
                    )
                except RuleBroken as exc:
                    # Nothing of the form was kept: each refusal next to its field (reasons, fato novo, the
                    # study, its engineer, its ART).
                    for field, message in exc.errors.items():
                        form.add_error(field if field in form.fields else None, str(message))
                except ServiceError as exc:
                    # Nothing of the form was kept: show it again as typed, with the reason on top.
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _REVIEW_DONE[form.cleaned_data["decision"]])
                    return redirect(reverse("admin:aprweb_technicalqueue_change", args=[case.pk]))
            status = 400
        form.row_errors()
        last_suspension = case.events.filter(action="suspended").order_by("-created_at").first()
        first = next((row.latest for row in rows if row.latest is not None), None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "case": case,
            "order": order,
            "rows": rows,
            "generated": generated_documents(case),
            # The INMETRO table's hints on the inverter rows (SPEC §16): never a refusal by themselves.
            "inverter_hints": inverter_warnings(generation.inverters.all()) if generation else [],
            "form": form,
            "viewer_version": first,
            "title": _("Technical analysis of %(p)s") % {"p": case.protocol},
            "changed_since": last_suspension.created_at if last_suspension else None,
            "can_decide": can_decide,
            "generation": generation,
            "sheet": generation_sheet(case) if generation else None,
            "events": case.events.select_related("actor").order_by("created_at", "id"),
            "clocks": case.deadlines.filter(state__in=[Deadline.State.OPEN, Deadline.State.LAPSED]),
        }
        return TemplateResponse(request, "admin/aprweb/technical_review.html", context, status=status)

    def decide(self, request, pk, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = get_object_or_404(Case.objects.for_user(request.user), pk=pk)
        data = request.POST
        try:
            if action == "verdict":
                version = get_object_or_404(DocumentVersion, pk=_id_or_404(data.get("version")), case=case)
                services_technical.version_verdict(
                    version=version,
                    by=request.user,
                    verdict=data.get("verdict", ""),
                    note=data.get("note", ""),
                    reasons=data.getlist("reasons"),
                    new_fact=data.get("new_fact") == "on",
                    new_fact_note=data.get("new_fact_note", ""),
                )
            elif action == "approve":
                services_technical.case_technical_approve(
                    case=case, by=request.user, grid_works_needed=data.get("grid_works_needed") == "on"
                )
                messages.success(request, _("Project approved; the access opinion deadline started."))
            elif action == "suspend":
                services_technical.case_technical_suspend(
                    case=case, by=request.user, note=data.get("note", ""), reasons=data.getlist("reasons")
                )
                messages.success(
                    request, _("Order suspended; the pending items were sent to the RT and the customer.")
                )
            elif action == "reject":
                services_technical.case_technical_reject(
                    case=case,
                    by=request.user,
                    reason=data.get("reason", ""),
                    reasons=data.getlist("reasons"),
                )
                messages.success(request, _("Order rejected."))
            else:
                raise PermissionDenied
        except ServiceError as exc:
            messages.error(request, str(exc))
        return redirect(reverse("admin:aprweb_technicalqueue_change", args=[pk]))
