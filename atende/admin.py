"""Analysts work here. The admin never edits a case's fields: every change goes through a service function."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gdportal.admin_paging import CappedCountPaginator
from gdportal.admin_search import IndexedSearchMixin
from gdportal.cases.choices import CaseState
from gdportal.cases.documents import latest_versions
from gdportal.cases.models import Case, CaseEvent, DocumentVersion
from gdportal.deadlines.models import Deadline

from . import services
from .forms import DecisionForm
from .models import CommercialQueue


def _sla_due(kind):
    return Subquery(
        Deadline.objects.of_model(Case)
        .filter(subject_id=OuterRef("pk"), kind=kind, state__in=["open", "lapsed"])
        .order_by("due_at")
        .values("due_at")[:1]
    )


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
class CaseAdmin(IndexedSearchMixin, admin.ModelAdmin):
    list_display = ["protocol", "holder_name", "kind", "reason", "power_kw", "state", "ns", "submitted_at"]
    list_filter = ["state", "kind", "reason", "source", "modality"]
    # Searched through IndexedSearchMixin: a protocol, an NS, a client or installation number, a CPF/CNPJ.
    search_fields = ["protocol"]
    search_exact = {13: ["protocol"], 10: ["ns", "installation__number", "customer__number"]}
    search_document = "document"
    list_select_related = ["customer", "installation"]
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
            services.case_commercial_reject(case=case, by=request.user, reason=reason)
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
class CommercialQueueAdmin(CaseAdmin):
    """The commercial analysts' queue: filed requests awaiting the check, oldest first, with the SLA."""

    list_display = ["protocol", "holder_name", "kind", "reason", "power_kw", "submitted_at", "sla_due"]
    list_filter = ["kind", "reason"]
    ordering = ["submitted_at", "id"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(state=CaseState.SUBMITTED)
            .annotate(sla_due_at=_sla_due("commercial_sla"), answer_due_at=_sla_due("consultation_answer"))
        )

    @admin.display(description=_("due by"), ordering="sla_due_at")
    def sla_due(self, obj):
        due = obj.sla_due_at or obj.answer_due_at
        if due is None:
            return "—"
        from django.utils import timezone
        from django.utils.formats import date_format

        text = date_format(timezone.localtime(due), "d/m/Y H:i")
        if due < timezone.now():
            return format_html('<strong style="color:#b02a37">{} ({})</strong>', text, _("overdue"))
        return text

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect(reverse("admin:cases_case_change", args=[object_id]))
