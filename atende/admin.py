"""Analysts work here. The admin never edits a case's fields: every change goes through a service function."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gdportal.admin_paging import CappedCountPaginator
from gdportal.admin_rows import LeanRowsMixin
from gdportal.admin_search import IndexedSearchMixin
from gdportal.cases.admin_common import SHORT_REASONS, ClosedDaysOncePerPage, clock_column, due_cell
from gdportal.cases.choices import CaseState
from gdportal.cases.documents import latest_versions
from gdportal.cases.models import Case, CaseEvent, DocumentVersion
from gdportal.deadlines.kinds import closed_days

from . import services
from .admin_gfc import case_gfc_urls, gfc_panel
from .forms import DecisionForm
from .models import CommercialQueue


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["created_at", "actor", "action", "from_state", "to_state", "note"]
    readonly_fields = fields


class DocumentInline(ReadOnlyInline):
    model = DocumentVersion
    fields = ["kind_name", "open_link", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("kind"))
    def kind_name(self, obj):
        # The kinds come from each stage's registry, not from field choices: name them from there.
        return obj.kind_label

    def get_queryset(self, request):
        # The same files the download view serves this user (the inspector: no identity papers).
        return super().get_queryset(request).for_user(request.user)

    @admin.display(description=_("file"))
    def open_link(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("atende:document", args=[obj.pk]) + "?inline=1",
            obj.original_name,
        )


@admin.register(Case)
class CaseAdmin(LeanRowsMixin, IndexedSearchMixin, admin.ModelAdmin):
    list_display = ["protocol", "holder_name", "kind", "reason", "power_kw", "state", "ns", "submitted_at"]
    list_filter = ["state", "kind", "reason", "source", "modality"]
    # Searched through IndexedSearchMixin: a protocol, an NS, a client or installation number, a CPF/CNPJ.
    search_fields = ["protocol"]
    search_exact = {13: ["protocol"], 10: ["ns", "installation__number", "customer__number"]}
    search_document = "document"
    # No column shows the customer's or the installation's rows: the list reads only its own columns.
    list_select_related = False
    ordering = ["-submitted_at", "-id"]  # the case_submitted_desc index
    paginator = CappedCountPaginator
    list_per_page = 50
    show_full_result_count = False
    inlines = [DocumentInline, EventInline]
    change_form_template = "admin/atende/accessrequest/change_form.html"
    exclude = ["declaration"]

    def get_queryset(self, request):
        # for_user: the inspector's list and pages hold only the cases in inspection.
        return super().get_queryset(request).for_user(request.user).exclude(state=CaseState.DRAFT)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields if f.name != "declaration"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/decide/<str:action>/",
                self.admin_site.admin_view(self.decide),
                name="{}_{}_decide".format(*info),
            ),
            *case_gfc_urls(self),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        if case is None:
            # A case this user may not see does not exist for them (SPEC §10), and neither does 'abc'.
            raise Http404
        files = DocumentVersion.objects.for_user(request.user).filter(case=case)
        visible = set(files.values_list("pk", flat=True))
        extra = {
            **(extra_context or {}),
            "can_review": request.user.has_perm("cases.commercial_review")
            and case.state == CaseState.SUBMITTED
            and not case.is_consultation,
            "can_answer": request.user.has_perm("cases.answer_consultation")
            and case.state == CaseState.SUBMITTED
            and case.is_consultation,
            "identity_documents": [v for v in latest_versions(case).values() if v.pk in visible],
            "decision_form": DecisionForm(),
            "clocks": case.deadlines.order_by("due_at"),
            # The guarantee before the NS (SPEC §6.5); a failed verification brings its bound form back here.
            **gfc_panel(request, case, (extra_context or {}).get("gfc_verify_form")),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def decide(self, request, pk, action):
        return _decide(self, request, pk, action)


def _decide(model_admin, request, pk, action):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = get_object_or_404(Case.objects.for_user(request.user), pk=pk)
    back = reverse("admin:cases_case_change", args=[pk])
    form = DecisionForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        if action == "approve":
            case = services.case_commercial_approve(case=case, by=request.user)
            messages.success(request, _("Approved: service note %(ns)s issued.") % {"ns": case.ns})
        elif action == "reject":
            services.case_commercial_reject(
                case=case, by=request.user, reason=reason, reasons=form.data.getlist("reasons")
            )
            messages.success(request, _("Request rejected; the customer and the RT were told."))
        elif action == "answer":
            services.consultation_answer(case=case, by=request.user, answer=reason)
            messages.success(request, _("Consultation answered."))
        else:
            raise PermissionDenied
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return redirect(back)


@admin.register(CommercialQueue)
class CommercialQueueAdmin(ClosedDaysOncePerPage, CaseAdmin):
    """The commercial analysts' queue: filed requests awaiting the check, oldest first, with the SLA."""

    # The deadline second, the analyst works by it; short columns after it, so the list fits a 1280 px
    # screen beside the admin's menu and the filters (issue 10: "Prazo" was cut off on the right).
    list_display = ["protocol", "sla_due", "holder_name", "category", "power", "filed"]
    list_filter = ["kind", "reason"]
    ordering = ["submitted_at", "id"]
    # As before issue 15's lean case list: Django's rows and the joined customer and installation. Only the
    # case and order lists were measured and tested with the lean rows; this queue can follow with its tests.
    change_list_template = None
    list_select_related = ["customer", "installation"]

    class Media:
        css = {"all": ["css/admin-review.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(state=CaseState.SUBMITTED)
            .annotate(
                sla_due_at=clock_column(["commercial_sla"]),
                answer_due_at=clock_column(["consultation_answer"]),
            )
        )

    @admin.display(description=_("due by"), ordering="sla_due_at")
    def sla_due(self, obj):
        due, kind = (
            (obj.sla_due_at, "commercial_sla")
            if obj.sla_due_at
            else (obj.answer_due_at, "consultation_answer")
        )
        # "faltam 3 dias úteis" counted as the clock counts; the closed days are read once per page.
        return due_cell(due, kind, closed=getattr(obj, "closed_days", closed_days))

    @admin.display(description=_("filed at"), ordering="submitted_at")
    def filed(self, obj):
        if obj.submitted_at is None:
            return "—"
        moment = timezone.localtime(obj.submitted_at)
        return format_html(
            "{}<br><small>{}</small>", date_format(moment, "d/m/Y"), date_format(moment, "H:i")
        )

    @admin.display(description=_("category"), ordering="reason")
    def category(self, obj):
        # The service in the same cell: a consultation is the exception in this queue (and a filter).
        short = SHORT_REASONS.get(obj.reason, obj.get_reason_display())
        if obj.is_consultation:
            return format_html("{}<br><small>{}</small>", short, obj.get_kind_display())
        return short

    @admin.display(description="kW", ordering="power_kw")
    def power(self, obj):
        return number_format(obj.power_kw, 2)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect(reverse("admin:cases_case_change", args=[object_id]))
