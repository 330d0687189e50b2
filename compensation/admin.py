"""The sistema de compensação in the commercial stage's admin (SPEC §1, §7.1): receiving-unit registrations to
accept or refuse (pending first), the generating units (read-only) and the tariff table (edited by the
commercial group). Decisions go through compensation.services, which check the permission and state again.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gdportal.admin_paging import CappedCountPaginator
from gdportal.admin_search import IndexedSearchMixin
from gdportal.brdocs import format_document
from gdportal.brformats import datetime_br, number_br
from gdportal.cases.admin_common import ReadOnlyAdmin
from gdportal.cases.services import RuleBroken, ServiceError
from gdportal.formfields import BRDecimalField

from .allocation_rules import first_cycle_for
from .models import AllocationMode, AllocationSet, AllocationStatus, Generator, GeneratorExpansion, Tariff
from .services import REVIEW_PERMISSION, allocation_accept, allocation_refuse


def _cycle(value):
    return value.strftime("%m/%Y") if value else "—"


def _who(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the refusal (the customer reads it)"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
    )


@admin.register(AllocationSet)
class AllocationSetAdmin(IndexedSearchMixin, admin.ModelAdmin):
    """Read-only but for the two decisions, Aceitar and Recusar, on the change page."""

    list_display = [
        "generator_number",
        "titular",
        "requested",
        "unit_type",
        "mode",
        "status",
        "first",
        "last",
    ]
    list_filter = ["status", "mode", "unit_type"]
    search_fields = ["generator__installation__number"]
    search_exact = {10: ["generator__installation__number"]}
    list_select_related = ["generator__installation__customer"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    actions = None
    change_form_template = "admin/compensation/allocationset/change_form.html"
    fields = [
        "generator_number",
        "titular",
        "document",
        "requested",
        "unit_type",
        "voltage",
        "contact",
        "mode",
        "receiving_units",
        "legal_form",
        "instrument",
        "status",
        "first",
        "last",
        "decided",
        "refusal_reason",
        "imported",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("generator__installation__customer", "requested_by", "decided_by", "remainder_to")
        )

    def get_ordering(self, request):
        # Pending first (the analysts' queue), then the newest.
        pending_first = Case(
            When(status=AllocationStatus.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [pending_first.asc(), "-requested_at", "-id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "<int:pk>/accept/",
                site.admin_view(self.accept_view),
                name="compensation_allocationset_accept",
            ),
            path(
                "<int:pk>/refuse/",
                site.admin_view(self.refuse_view),
                name="compensation_allocationset_refuse",
            ),
            *super().get_urls(),
        ]

    def _decision_target(self, request, pk):
        if request.method != "POST":
            return None, HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk), None

    def accept_view(self, request, pk):
        allocation_set, refusal = self._decision_target(request, pk)
        if refusal:
            return refusal
        try:
            accepted = allocation_accept(allocation_set=allocation_set, by=request.user)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                gettext("Registration accepted: it takes effect from the cycle %(cycle)s.")
                % {"cycle": _cycle(accepted.first_cycle)},
            )
        return redirect(reverse("admin:compensation_allocationset_change", args=[allocation_set.pk]))

    def refuse_view(self, request, pk):
        allocation_set, refusal = self._decision_target(request, pk)
        if refusal:
            return refusal
        form = RefuseForm(request.POST)
        reason = request.POST.get("reason", "") if not form.is_valid() else form.cleaned_data["reason"]
        try:
            allocation_refuse(allocation_set=allocation_set, by=request.user, reason=reason)
        except RuleBroken as exc:
            messages.error(request, " ".join(str(m) for m in exc.errors.values()))
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("Registration refused; the customer was told the reason."))
        return redirect(reverse("admin:compensation_allocationset_change", args=[allocation_set.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        decide = (
            obj is not None
            and obj.status == AllocationStatus.PENDING
            and request.user.has_perm(REVIEW_PERMISSION)
        )
        extra = {**(extra_context or {})}
        if decide:
            extra["refuse_form"] = RefuseForm()
            extra["first_cycle_if_accepted"] = _cycle(
                first_cycle_for(timezone.localdate(obj.requested_at), timezone.localdate())
            )
        return super().change_view(request, object_id, form_url, extra_context=extra)

    @admin.display(description=_("generating unit"), ordering="generator__installation__number")
    def generator_number(self, obj):
        generator = obj.generator
        power = number_br(generator.power_kw)
        return f"{generator.installation.number} ({power} kW, {generator.get_modality_display()})"

    @admin.display(description=_("holder"))
    def titular(self, obj):
        return obj.generator.installation.customer.name

    @admin.display(description=_("CPF/CNPJ"))
    def document(self, obj):
        return format_document(obj.generator.installation.customer.document)

    @admin.display(description=_("requested at"), ordering="requested_at")
    def requested(self, obj):
        return (
            f"{datetime_br(obj.requested_at)} — {_who(obj.requested_by)}"
            if obj.requested_by
            else datetime_br(obj.requested_at)
        )

    @admin.display(description=_("contact person"))
    def contact(self, obj):
        parts = [obj.contact_name, obj.contact_email, obj.contact_phone, obj.contact_mobile]
        return " · ".join(p for p in parts if p) or "—"

    @admin.display(description=_("receiving units"))
    def receiving_units(self, obj):
        rows = obj.rows.select_related("installation__customer").order_by("priority", "id")
        if obj.mode == AllocationMode.PERCENT:
            share = lambda row: f"{number_br(row.percent)} %"  # noqa: E731
        else:
            share = lambda row: gettext("%(position)sº in the order") % {"position": row.priority}  # noqa: E731
        lines = format_html_join(
            "",
            "<li>{} — {} ({})</li>",
            ((row.installation.number, share(row), row.installation.customer.name) for row in rows),
        )
        remainder = ""
        if obj.mode == AllocationMode.PRIORITY:
            remainder = format_html(
                "<p>{}: {}</p>",
                gettext("Takes the remainder"),
                obj.remainder_to.number
                if obj.remainder_to
                else gettext("the unit that consumed most in the cycle"),
            )
        return format_html('<ul data-testid="receiving-units">{}</ul>{}', lines, remainder)

    @admin.display(description=_("legal instrument"))
    def instrument(self, obj):
        if not obj.legal_instrument:
            return "—"
        url = reverse("compensation_atende:legal_instrument", args=[obj.pk]) + "?inline=1"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a><br><small>SHA-256 {}</small>',
            url,
            obj.legal_instrument_name or gettext("Legal instrument"),
            obj.legal_instrument_sha256,
        )

    @admin.display(description=_("first cycle"), ordering="first_cycle")
    def first(self, obj):
        return _cycle(obj.first_cycle)

    @admin.display(description=_("last cycle"), ordering="last_cycle")
    def last(self, obj):
        return _cycle(obj.last_cycle)

    @admin.display(description=_("decision"))
    def decided(self, obj):
        if obj.decided_at is None:
            return "—"
        return f"{datetime_br(obj.decided_at)} — {_who(obj.decided_by)}"


class ExpansionInline(admin.TabularInline):
    """The ampliações connected at this plant, each with its own request date and GD class (SPEC §16)."""

    model = GeneratorExpansion
    extra = 0
    can_delete = False
    fields = ["case", "previous_kw", "added_kw", "requested_on", "gd_class", "connected_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Generator)
class GeneratorAdmin(IndexedSearchMixin, ReadOnlyAdmin):
    """The generating units (connected through the portal or imported): read-only."""

    list_display = [
        "installation",
        "titular",
        "power_kw",
        "source",
        "modality",
        "gd_class",
        "connected_on",
        "requested_on",
    ]
    list_filter = ["modality", "gd_class", "source"]
    search_fields = ["installation__number"]
    search_exact = {10: ["installation__number"]}
    list_select_related = ["installation__customer"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    actions = None
    readonly_fields = [
        "installation",
        "case",
        "connected_on",
        "power_kw",
        "source",
        "modality",
        "requested_on",
        "dispatchable",
        "gd_class",
        "created_at",
    ]
    fields = readonly_fields
    inlines = [ExpansionInline]

    @admin.display(description=_("holder"))
    def titular(self, obj):
        return obj.installation.customer.name


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    """The tariff table (SPEC §7.2), R$/kWh without taxes; `import_tariffs` loads the same rows."""

    list_display = ["valid_from", "group", "installation_class", "te", "tusd", "fio_a", "fio_b"]
    list_filter = ["group", "installation_class"]
    date_hierarchy = "valid_from"
    fields = ["valid_from", "group", "installation_class", "te", "tusd", "fio_a", "fio_b"]
    # R$/kWh typed as Brazilians write them ("0,412345"), the dot accepted too (SPEC §13).
    formfield_overrides = {models.DecimalField: {"form_class": BRDecimalField}}
