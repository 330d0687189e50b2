"""Stage 3 in the admin (SPEC §6.1, §6.4): the technical analysts' "Pareceres a emitir" queue with its work
page, and the issued pareceres with the facts staff record on them. Nothing is edited directly: every change
calls a parecer.services function, which checks the permission again. The inspector's side is in
admin_inspection.py."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gdportal.brformats import datetime_br, money_br, number_br
from gdportal.cases import deadline_kinds as case_clocks
from gdportal.cases.admin_common import QueueAdmin, ReadOnlyAdmin, clock_column, due_cell, live_clock
from gdportal.cases.choices import PARECER_CANCELLABLE, CaseState
from gdportal.cases.models import Case
from gdportal.cases.services import RuleBroken, ServiceError
from gdportal.middleware import accepts_uploads

from . import admin_forms, services
from .admin_links import document_url
from .models import Parecer, ParecerQueue

PARECER_SLA = case_clocks.PARECER_SLA.code


@admin.register(ParecerQueue)
class ParecerQueueAdmin(QueueAdmin):
    """Approved cases awaiting their parecer, the most urgent 15/30/45-day date first."""

    list_display = ["protocol", "sla_due", "holder_name", "category", "power", "grid_works"]
    list_filter = ["reason"]
    work_url_name = "parecer_parecerqueue_issue"

    def get_queryset(self, request):
        return (
            self.model._default_manager.for_user(request.user)
            .filter(state=CaseState.APPROVED)
            .annotate(
                sla_due_at=clock_column([PARECER_SLA]),
                sla_paused_at=clock_column([PARECER_SLA], "paused_at"),
            )
        )

    def get_ordering(self, request):
        # Most urgent first; a case without a running clock (none should be) last.
        return [F("sla_due_at").asc(nulls_last=True), "id"]

    @admin.display(description=gettext_lazy("due by"), ordering="sla_due_at")
    def sla_due(self, obj):
        return due_cell(obj.sla_due_at, PARECER_SLA, closed=obj.closed_days, paused_at=obj.sla_paused_at)

    @admin.display(description="kW", ordering="power_kw")
    def power(self, obj):
        return number_br(obj.power_kw)

    @admin.display(description=gettext_lazy("grid works"), boolean=True, ordering="grid_works_needed")
    def grid_works(self, obj):
        return obj.grid_works_needed

    def get_urls(self):
        return [
            path(
                "<int:pk>/emitir/",
                # Multipart: the flow-inversion study travels with the opinion (SPEC §15).
                accepts_uploads(self.admin_site.admin_view(self.issue_view), files=1),
                name="parecer_parecerqueue_issue",
            ),
            *super().get_urls(),
        ]

    def issue_view(self, request, pk):
        """ "Emitir parecer de acesso": the case, its clock, the parecer's content; pause/resume the count."""
        # This page replaces the admin's change form, and with it the admin's permission check.
        if not self.has_view_permission(request):
            raise PermissionDenied
        case = get_object_or_404(Case.objects.for_user(request.user).select_related("installation"), pk=pk)
        can_issue = case.state == CaseState.APPROVED
        action = request.POST.get("action", "") if request.method == "POST" else ""
        form = admin_forms.ParecerIssueForm(
            request.POST if action == "issue" else None,
            request.FILES if action == "issue" else None,
            case=case,
        )
        pause_form = admin_forms.ClockPauseForm(request.POST if action == "pause" else None)
        status = 200
        if request.method == "POST":
            # The services check this too; refusing here keeps a stale page from reaching them at all.
            if not request.user.has_perm("cases.technical_review"):
                raise PermissionDenied
            done = self._issue_post(request, case, action, form, pause_form)
            if done is not None:
                return done
            status = 400
        clock = live_clock(case, PARECER_SLA)
        context = {
            **self.work_context(request, case, _("Issue the access opinion")),
            "form": form,
            "pause_form": pause_form,
            "clock": clock,
            "can_issue": can_issue,
            "can_act": can_issue and request.user.has_perm("cases.technical_review"),
            "parecer": services.current_parecer(case),
        }
        return TemplateResponse(request, "admin/parecer/issue.html", context, status=status)

    def _issue_post(self, request, case, action, form, pause_form):
        """The response after a successful POST, or None to show the page again with the errors."""
        back = reverse("admin:parecer_parecerqueue_issue", args=[case.pk])
        try:
            if action == "issue":
                if not form.is_valid():
                    return None
                parecer = services.parecer_issue(case=case, by=request.user, **form.service_kwargs())
                text = (
                    _("Access opinion issued for %(protocol)s. Verification code: %(code)s.")
                    if parecer.favourable
                    else _(
                        "Unfavourable access opinion issued for %(protocol)s. Verification code: %(code)s."
                    )
                )
                messages.success(request, text % {"protocol": case.protocol, "code": parecer.code_display})
                return redirect(reverse("admin:parecer_parecerqueue_changelist"))
            if action == "pause":
                if not pause_form.is_valid():
                    return None
                services.parecer_clock_pause(
                    case=case, by=request.user, reason=pause_form.cleaned_data["reason"]
                )
                messages.success(request, _("The access opinion's count is paused; the customer is told."))
                return redirect(back)
            if action == "resume":
                services.parecer_clock_resume(case=case, by=request.user)
                messages.success(request, _("The access opinion's count resumed with the days it had left."))
                return redirect(back)
            raise PermissionDenied
        except RuleBroken as exc:
            admin_forms.apply_errors(form, exc.errors)
        except ServiceError as exc:
            # A refusal of the moment (a stale page: issued meanwhile, the count no longer running): what was
            # typed no longer matters, the page as it is now does.
            messages.error(request, str(exc))
            return redirect(back)
        return None


@admin.register(Parecer)
class ParecerAdmin(ReadOnlyAdmin):
    """The pareceres issued, for every role that may see their cases; staff record the facts on the page."""

    list_display = [
        "protocol",
        "favourable",
        "issued_at",
        "valid_until",
        "accepted",
        "participation",
        "paid",
        "works_pending_column",
        "pdf",
    ]
    list_filter = ["favourable", "works_needed", "accepted_tacitly"]
    list_select_related = ["case"]
    show_full_result_count = False
    search_fields = ["=case__protocol", "=verification_code"]

    class Media:
        css = {"all": ["css/admin-parecer.css"]}

    def get_queryset(self, request):
        return Parecer.objects.for_user(request.user).select_related("case")

    @admin.display(description=gettext_lazy("protocol"), ordering="case__protocol")
    def protocol(self, obj):
        return obj.case.protocol

    @admin.display(description=gettext_lazy("accepted"), ordering="accepted_at")
    def accepted(self, obj):
        if obj.accepted_at is None:
            return "—"
        if obj.accepted_tacitly:
            return format_html("{}<br><small>({})</small>", datetime_br(obj.accepted_at), _("tacitly"))
        return datetime_br(obj.accepted_at)

    @admin.display(description=gettext_lazy("financial participation"), ordering="financial_participation")
    def participation(self, obj):
        return money_br(obj.financial_participation)

    @admin.display(description=gettext_lazy("paid"), ordering="paid_at")
    def paid(self, obj):
        if not obj.has_financial_participation:
            return "—"
        return datetime_br(obj.paid_at) if obj.paid_at else _("awaiting payment")

    @admin.display(description=gettext_lazy("works pending"), boolean=True)
    def works_pending_column(self, obj):
        return obj.works_pending if obj.works_needed else None

    @admin.display(description=gettext_lazy("PDF"))
    def pdf(self, obj):
        if not obj.document_id:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', document_url(obj.document_id), _("Open")
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The parecer's facts and, per permission, the payment, the works done, the written cancellation."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        parecer = self.get_object_or_404(request, object_id)
        case = parecer.case
        forms = {
            "payment": admin_forms.PaymentForm(),
            "works_done": admin_forms.WorksDoneForm(),
            "cancel": admin_forms.ParecerCancelForm(),
        }
        status = 200
        if request.method == "POST":
            action = request.POST.get("action", "")
            if action not in forms:
                raise PermissionDenied
            form = forms[action] = type(forms[action])(request.POST)
            done = self._act(request, case, parecer, action, form)
            if done is not None:
                return done
            status = 400
        current = services.current_parecer(case)
        in_force = current is not None and current.pk == parecer.pk and case.state in PARECER_CANCELLABLE
        user = request.user
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Access opinion"),
            "subtitle": case.protocol,
            "parecer": parecer,
            "case": case,
            "pdf_url": document_url(parecer.document_id) if parecer.document_id else "",
            "forms": forms,
            "can_pay": in_force and parecer.payment_pending and user.has_perm("cases.manage_guarantee"),
            "can_works": in_force
            and parecer.works_pending
            and case.state == CaseState.PARECER_ACCEPTED
            and user.has_perm("cases.technical_review"),
            "can_cancel": in_force and services.may_cancel_parecer(case, user),
            "clocks": case.deadlines.filter(state__in=["open", "lapsed"]).order_by("due_at"),
            "inspections": parecer.inspections.order_by("-requested_at", "-id"),
            # The study behind a limit or an unfavourable opinion "por inversão de fluxo" (SPEC §15).
            "flow_studies": case.flow_studies.filter(decision__in=["injection_limit", "parecer_unfavourable"])
            if parecer.flow_inversion
            else [],
        }
        return TemplateResponse(request, "admin/parecer/parecer_detail.html", context, status=status)

    def _act(self, request, case, parecer, action, form):
        needs = {
            "payment": ["cases.manage_guarantee"],
            "works_done": ["cases.technical_review"],
            "cancel": ["cases.commercial_review", "cases.technical_review"],
        }[action]
        if not any(request.user.has_perm(perm) for perm in needs):
            raise PermissionDenied
        if not form.is_valid():
            return None
        back = reverse("admin:parecer_parecer_change", args=[parecer.pk])
        current = services.current_parecer(case)
        try:
            if current is None or current.pk != parecer.pk:
                raise ServiceError(_("A newer access opinion replaced this one: act on that one."))
            if action == "payment":
                services.parecer_record_payment(
                    case=case, by=request.user, reference=form.cleaned_data["reference"]
                )
                messages.success(request, _("Financial participation recorded as paid."))
            elif action == "works_done":
                services.parecer_works_done(case=case, by=request.user, note=form.cleaned_data["note"])
                messages.success(request, _("Grid works recorded as completed; the validity counts again."))
            else:
                if case.state not in PARECER_CANCELLABLE:
                    raise ServiceError(_("This access opinion can no longer be cancelled."))
                services.parecer_cancel(case=case, by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("Access opinion cancelled at the holder's written request."))
        except RuleBroken as exc:
            admin_forms.apply_errors(form, exc.errors)
            return None
        except ServiceError as exc:
            messages.error(request, str(exc))
        return redirect(back)


from . import admin_inspection  # noqa: E402, F401 — registers the inspector's side
