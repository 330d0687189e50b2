"""The inspector's side of the admin (SPEC §6.3): the queue of inspections requested, by the 5/10-business-day
date (then the 3-day report), its "Vistoria" work page, and the inspections as a read-only list. Every change
calls a parecer.services_inspection function, which checks the permission again."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gdportal.brdocs import format_cep, mask_document
from gdportal.brformats import datetime_br
from gdportal.cases.admin_common import QueueAdmin, ReadOnlyAdmin, clock_column, due_cell, live_clock
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from gdportal.cases.services import RuleBroken, ServiceError
from gdportal.web.templatetags.br import phone

from . import admin_forms, services_inspection
from . import deadline_kinds as clocks
from .admin_links import document_url
from .models import Inspection, InspectionPeriod, InspectionQueue, Parecer
from .services import current_parecer

CLOCKS = [clocks.INSPECTION.code, clocks.INSPECTION_REPORT.code]
PERIODS = dict(InspectionPeriod.choices)


def _latest_inspection(column):
    return Subquery(
        Inspection.objects.filter(case=OuterRef("pk")).order_by("-requested_at", "-id").values(column)[:1]
    )


def _day(value):
    return date_format(value, "d/m/Y") if value else "—"


@admin.register(InspectionQueue)
class InspectionQueueAdmin(QueueAdmin):
    list_display = ["protocol", "due", "holder_name", "municipality", "voltage", "scheduled", "visited"]
    work_url_name = "parecer_inspectionqueue_work"

    def get_queryset(self, request):
        parecer_voltage = Subquery(
            Parecer.objects.filter(case=OuterRef("pk")).order_by("-issued_at", "-id").values("voltage")[:1]
        )
        return (
            self.model._default_manager.for_user(request.user)
            .filter(state=CaseState.INSPECTION_REQUESTED)
            .annotate(
                # The visit's clock until it is recorded, then the report's: one of them is open at a time.
                clock_due_at=clock_column(CLOCKS),
                clock_kind=clock_column(CLOCKS, "kind"),
                connection_voltage=Coalesce(parecer_voltage, F("installation__voltage")),
                visit_date=_latest_inspection("scheduled_for"),
                visit_period=_latest_inspection("period"),
                visited_on=_latest_inspection("visited_on"),
            )
        )

    def get_ordering(self, request):
        return [F("clock_due_at").asc(nulls_last=True), "id"]

    @admin.display(description=gettext_lazy("due by"), ordering="clock_due_at")
    def due(self, obj):
        return due_cell(obj.clock_due_at, obj.clock_kind, closed=obj.closed_days)

    @admin.display(description=gettext_lazy("voltage"), ordering="connection_voltage")
    def voltage(self, obj):
        return obj.connection_voltage or "—"

    @admin.display(description=gettext_lazy("visit scheduled"), ordering="visit_date")
    def scheduled(self, obj):
        if obj.visit_date is None:
            return "—"
        return format_html("{}<br><small>{}</small>", _day(obj.visit_date), PERIODS.get(obj.visit_period, ""))

    @admin.display(description=gettext_lazy("visited on"), ordering="visited_on")
    def visited(self, obj):
        return _day(obj.visited_on)

    def get_urls(self):
        return [
            path(
                "<int:pk>/vistoria/",
                self.admin_site.admin_view(self.work_view),
                name="parecer_inspectionqueue_work",
            ),
            *super().get_urls(),
        ]

    FORMS = {
        "schedule": admin_forms.ScheduleForm,
        "visit": admin_forms.VisitForm,
        "pass": admin_forms.PassForm,
        "fail": admin_forms.FailForm,
    }

    def work_view(self, request, pk):
        """ "Vistoria": the case, the parecer, the request as filed; schedule, record the visit and result."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        case = get_object_or_404(Case.objects.for_user(request.user).select_related("installation"), pk=pk)
        inspection = services_inspection.current_inspection(case)
        initial = {}
        if inspection is not None:
            initial = {
                "schedule": {"date": inspection.scheduled_for, "period": inspection.period},
                "visit": {"visited_on": inspection.visited_on},
                "pass": {"visited_on": inspection.visited_on},
                "fail": {"visited_on": inspection.visited_on},
            }
        action = request.POST.get("action", "") if request.method == "POST" else ""
        forms = {
            name: form_class(request.POST if name == action else None, prefix=name, initial=initial.get(name))
            for name, form_class in self.FORMS.items()
        }
        status = 200
        if request.method == "POST":
            # The services check this too; refusing here keeps any other role from reaching them.
            if not request.user.has_perm("cases.inspect"):
                raise PermissionDenied
            if action not in forms:
                raise PermissionDenied
            done = self._act(request, case, action, forms[action])
            if done is not None:
                return done
            status = 400
        parecer = inspection.parecer if inspection is not None else current_parecer(case)
        open_inspection = (
            case.state == CaseState.INSPECTION_REQUESTED and inspection is not None and not inspection.result
        )
        context = {
            **self.work_context(request, case, _("Inspection")),
            "inspection": inspection,
            "parecer": parecer,
            "parecer_pdf_url": document_url(parecer.document_id) if parecer and parecer.document_id else "",
            "attachment_url": document_url(inspection.attachment_id)
            if inspection is not None and inspection.attachment_id
            else "",
            "request_rows": _request_rows(inspection) if inspection is not None else [],
            "forms": forms,
            "clock": live_clock(case, CLOCKS[0]) or live_clock(case, CLOCKS[1]),
            "can_act": open_inspection and request.user.has_perm("cases.inspect"),
            "visited": inspection is not None and inspection.visited_on is not None,
        }
        return TemplateResponse(request, "admin/parecer/inspection.html", context, status=status)

    def _act(self, request, case, action, form):
        if not form.is_valid():
            return None
        data, user = form.cleaned_data, request.user
        try:
            if action == "schedule":
                services_inspection.inspection_schedule(
                    case=case, by=user, date=data["date"], period=data["period"]
                )
                messages.success(request, _("Visit scheduled; the customer and the RT were told."))
            elif action == "visit":
                services_inspection.inspection_record_visit(case=case, by=user, visited_on=data["visited_on"])
                messages.success(request, _("Visit recorded: the report is due within 3 business days."))
            elif action == "pass":
                services_inspection.inspection_pass(
                    case=case,
                    by=user,
                    visited_on=data["visited_on"],
                    meter_number=data["meter_number"],
                    connected_on=data["connected_on"],
                )
                messages.success(
                    request, _("Inspection passed: %(protocol)s is connected.") % {"protocol": case.protocol}
                )
                return redirect(reverse("admin:parecer_inspectionqueue_changelist"))
            else:
                services_inspection.inspection_fail(
                    case=case, by=user, visited_on=data["visited_on"], report=data["report"]
                )
                messages.success(
                    request, _("Inspection failed; the report was sent to the customer and the RT.")
                )
                return redirect(reverse("admin:parecer_inspectionqueue_changelist"))
        except RuleBroken as exc:
            admin_forms.apply_errors(form, exc.errors)
            return None
        except ServiceError as exc:
            # A refusal of the moment (judged meanwhile, the visit already recorded): the page as it is now.
            messages.error(request, str(exc))
        return redirect(reverse("admin:parecer_inspectionqueue_work", args=[case.pk]))


def _request_rows(inspection):
    """The seed's Vistoria form as filed (the CPF/CNPJ masked: the inspector needs no more)."""
    address = ", ".join(
        part for part in [inspection.street, inspection.street_number, inspection.complement] if part
    )
    return [
        (_("Requested at"), datetime_br(inspection.requested_at)),
        (_("Holder"), inspection.holder_name),
        (_("CPF/CNPJ"), mask_document(inspection.document)),
        (_("Address"), address),
        (_("District"), inspection.district),
        (_("City"), inspection.municipality),
        (_("CEP"), format_cep(inspection.cep)),
        (_("E-mail"), inspection.email),
        (_("Phone"), phone(inspection.phone)),
        (_("Mobile"), phone(inspection.mobile) or "—"),
    ]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    """Every inspection the user may see (Inspection.objects.for_user), as filed and as judged."""

    list_display = [
        "protocol",
        "requested_at",
        "holder_name",
        "municipality",
        "scheduled_for",
        "period",
        "visited_on",
        "result",
        "connected_on",
    ]
    list_filter = ["result", "period"]
    list_select_related = ["case"]
    show_full_result_count = False
    search_fields = ["=case__protocol"]
    fields = [
        "case",
        "requested_at",
        "holder_name",
        "document_masked",
        "street",
        "street_number",
        "complement",
        "district",
        "municipality",
        "cep",
        "email",
        "phone",
        "mobile",
        "scheduled_for",
        "period",
        "visited_on",
        "result",
        "meter_number",
        "connected_on",
        "report",
        "decided_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return Inspection.objects.for_user(request.user).select_related("case")

    @admin.display(description=gettext_lazy("protocol"), ordering="case__protocol")
    def protocol(self, obj):
        return obj.case.protocol

    @admin.display(description=gettext_lazy("holder's CPF/CNPJ"))
    def document_masked(self, obj):
        return mask_document(obj.document)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # An inspection of a case this user may not see does not exist for them (SPEC §10).
        self.get_object_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)
