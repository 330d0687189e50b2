"""The kernel's own admin pages: the flow-inversion studies asked for (deliver them here) and the breaches."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gdportal.deadlines.models import Deadline
from gdportal.middleware import accepts_uploads

from . import deadline_kinds as clocks
from .admin_common import ReadOnlyAdmin, due_cell, id_or_404, live_clock
from .flow import flow_studies_deliver
from .flow_forms import StudiesDeliveryForm, study_kwargs
from .flow_models import Breach, FlowStudiesRequest
from .models import Case
from .services import RuleBroken, ServiceError


@admin.register(FlowStudiesRequest)
class FlowStudiesRequestAdmin(ReadOnlyAdmin):
    """Waiting first, then by due date: the technical analysts deliver here (REN 1.000 art. 78)."""

    list_display = ["protocol", "requested_at", "due", "delivered_at"]
    list_filter = [("delivered_at", admin.EmptyFieldListFilter)]
    search_fields = ["case__protocol"]

    def get_queryset(self, request):
        cases = Case.objects.for_user(request.user)
        clock = (
            Deadline.objects.of_model(Case)
            .filter(subject_id=OuterRef("case_id"), kind=clocks.FLOW_STUDIES.code)
            .order_by("-started_at", "-id")
        )
        return (
            super()
            .get_queryset(request)
            .filter(case__in=cases)
            .select_related("case")
            .annotate(studies_due=Subquery(clock.values("due_at")[:1]))
            # Waiting first (a NULL delivery), the earliest due among them.
            .order_by(F("delivered_at").asc(nulls_first=True), "studies_due", "id")
        )

    def get_urls(self):
        urls = super().get_urls()
        # The delivery page takes the studies' PDF past the upload guard (gdportal.middleware).
        for pattern in urls:
            if getattr(pattern, "name", None) == "cases_flowstudiesrequest_change":
                accepts_uploads(pattern.callback, files=1)
        return urls

    @admin.display(description=_("protocol"), ordering="case__protocol")
    def protocol(self, obj):
        return obj.case.protocol

    @admin.display(description=_("due by"), ordering="studies_due")
    def due(self, obj):
        if obj.delivered_at:
            return "—"
        return due_cell(obj.studies_due, clocks.FLOW_STUDIES.code)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("cases.view_case")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The request, its clock and the upload that answers it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        item = self.get_object_or_404(request, object_id)
        case = item.case
        can_deliver = item.delivered_at is None and request.user.has_perm("cases.technical_review")
        form = StudiesDeliveryForm(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST":
            if not request.user.has_perm("cases.technical_review"):
                raise PermissionDenied
            if form.is_valid():
                try:
                    data = study_kwargs(form.cleaned_data)
                    flow_studies_deliver(
                        case=case,
                        by=request.user,
                        file=data["study_file"],
                        engineer=data["study_engineer"],
                        art_number=data["study_art"],
                    )
                except RuleBroken as exc:
                    for field, message in exc.errors.items():
                        form.add_error(field if field in form.fields else None, str(message))
                except ServiceError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("Studies delivered; the holder and the RT were told."))
                    return redirect(reverse("admin:cases_flowstudiesrequest_change", args=[item.pk]))
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Flow-inversion studies of %(p)s") % {"p": case.protocol},
            "item": item,
            "case": case,
            "form": form,
            "can_deliver": can_deliver,
            "clock": live_clock(case, clocks.FLOW_STUDIES.code),
            "studies": case.flow_studies.select_related("document").order_by("-created_at", "-id"),
            "breaches": case.breaches.all(),
        }
        return TemplateResponse(request, "admin/cases/flow_studies_request.html", context, status=status)

    def get_object_or_404(self, request, object_id):
        obj = self.get_queryset(request).filter(pk=id_or_404(object_id)).first()
        if obj is None:
            raise Http404
        return obj


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ["case", "article", "tipo", "regulatory_days", "verified_days", "recorded_at"]
    list_filter = ["article", "tipo"]
    search_fields = ["case__protocol"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(case__in=Case.objects.for_user(request.user))
