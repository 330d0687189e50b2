"""The performance guarantee (GFC, SPEC §6.5) in the commercial stage's admin.

The case page shows a panel (what the customer declared, what is owed, the verified guarantee and its clocks)
with the analyst's two actions, "Verificar garantia" before the NS and "Registrar devolução" once releasable;
the guarantees have their own read-only list. Both actions go through the kernel's services (gdportal/cases/
gfc.py), which check the permission, the state and the amounts again.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gdportal.brformats import datetime_br, money_br, number_br
from gdportal.cases.admin_common import ReadOnlyAdmin
from gdportal.cases.choices import CaseState, GfcBank, GfcForm
from gdportal.cases.gfc import (
    GFC_EXPIRY_KIND,
    GFC_KEPT_KIND,
    gfc_amount,
    gfc_needed,
    gfc_release,
    gfc_verify,
)
from gdportal.cases.models import Case, Guarantee
from gdportal.cases.services import RuleBroken, ServiceError
from gdportal.formfields import BRDateField, BRDecimalField, NamedRequiredMixin

MANAGE = "cases.manage_guarantee"
VERIFY_PREFIX = "gfc"


class MoneyField(BRDecimalField):
    """Reais shown as Brazilians write them ('80.000,00'), which is also what the field reads back."""

    def prepare_value(self, value):
        return number_br(value, 2) if isinstance(value, Decimal) else value


class GuaranteeVerifyForm(NamedRequiredMixin, forms.Form):
    """What the analyst checked on the guarantee itself; the service judges it against the case."""

    form = forms.ChoiceField(label=_("Guarantee form"), choices=[("", "—"), *GfcForm.choices])
    bank = forms.ChoiceField(
        label=_("Guarantor bank"),
        choices=[("", "—"), *GfcBank.choices],
        required=False,
        help_text=_("Only for a bank guarantee."),
    )
    amount = MoneyField(
        label=_("Amount (R$)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=_("e.g. 80.000,00"),
    )
    expires_on = BRDateField(label=_("The guarantee's own expiry date"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )


class GuaranteeReleaseForm(forms.Form):
    note = forms.CharField(
        label=_("Note (how and when it was returned)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )


def _guarantee_of(case):
    return Guarantee.objects.select_related("verified_by", "released_by").filter(case=case).first()


def gfc_panel(request, case, verify_form=None):
    """The change page's GFC context; empty for a case that has no guarantee and needs none."""
    guarantee = _guarantee_of(case)
    if guarantee is None and not gfc_needed(case):
        return {}
    can_manage = request.user.has_perm(MANAGE)
    can_verify = can_manage and case.state == CaseState.SUBMITTED and gfc_needed(case)
    if can_verify and verify_form is None:
        # What the analyst starts from: the guarantee already verified, or else what the customer declared.
        verify_form = GuaranteeVerifyForm(
            prefix=VERIFY_PREFIX,
            initial={
                "form": guarantee.form if guarantee else case.gfc_form,
                "bank": guarantee.bank if guarantee else case.gfc_bank,
                "amount": guarantee.amount if guarantee else case.gfc_amount,
                "expires_on": guarantee.expires_on if guarantee else None,
            },
        )
    releasable = guarantee is not None and guarantee.status == Guarantee.Status.RELEASABLE
    clocks = case.deadlines.filter(kind__in=[GFC_EXPIRY_KIND, GFC_KEPT_KIND]).order_by("due_at", "id")
    return {
        "gfc": {
            "declared_form": case.get_gfc_form_display(),
            "declared_bank": case.get_gfc_bank_display(),
            "declared_amount": money_br(case.gfc_amount),
            "owed": money_br(gfc_amount(case.power_kw)) if case.power_kw is not None else "",
            "guarantee": guarantee,
            "clocks": list(clocks) if guarantee else [],
            "verify_form": verify_form if can_verify else None,
            "release_form": GuaranteeReleaseForm() if releasable and can_manage else None,
        }
    }


def verify_view(model_admin, request, pk):
    """POST "Verificar garantia": on success back to the case (PRG); on errors the case page again, with the
    bound form showing each message next to its field and what was typed."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = get_object_or_404(Case.objects.for_user(request.user), pk=pk)
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    back = reverse("admin:cases_case_change", args=[case.pk])
    form = GuaranteeVerifyForm(request.POST, prefix=VERIFY_PREFIX)
    if form.is_valid():
        try:
            gfc_verify(case=case, by=request.user, **form.cleaned_data)
        except RuleBroken as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except ServiceError as exc:
            # Not a matter of the typed values (the case moved on meanwhile): say so on the case page.
            messages.error(request, str(exc))
            return redirect(back)
        else:
            messages.success(request, gettext("Guarantee verified: the NS may now be issued."))
            return redirect(back)
    messages.error(request, gettext("The guarantee was not verified: correct the fields marked below."))
    # The change page rendered as for a GET (a POST there would be taken as the admin form's own submit).
    request.method = "GET"
    return model_admin.change_view(
        request, str(case.pk), form_url=back, extra_context={"gfc_verify_form": form}
    )


def release_view(request, pk, back):
    """POST "Registrar devolução" for the case `pk`; then back to the page it came from."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = get_object_or_404(Case.objects.for_user(request.user), pk=pk)
    form = GuaranteeReleaseForm(request.POST)
    form.is_valid()  # a note only, optional
    try:
        gfc_release(case=case, by=request.user, note=form.cleaned_data.get("note", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Guarantee release recorded."))
    return redirect(back)


def case_gfc_urls(model_admin):
    """The case admin's URLs for the two GFC actions (named after the admin's model, as its subclasses, the
    queue's proxy, get their own copies)."""
    site = model_admin.admin_site
    info = f"{model_admin.opts.app_label}_{model_admin.opts.model_name}"

    def verify(request, pk):
        return verify_view(model_admin, request, pk)

    def release(request, pk):
        return release_view(request, pk, reverse("admin:cases_case_change", args=[pk]))

    return [
        path("<int:pk>/gfc/verify/", site.admin_view(verify), name=f"{info}_gfc_verify"),
        path("<int:pk>/gfc/release/", site.admin_view(release), name=f"{info}_gfc_release"),
    ]


def _who(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _date(value):
    return value.strftime("%d/%m/%Y") if value else "—"


@admin.register(Guarantee)
class GuaranteeAdmin(ReadOnlyAdmin):
    """The guarantees held, to be released and released; read-only (the services change them)."""

    list_display = [
        "protocol",
        "form",
        "bank",
        "amount_br",
        "expires",
        "status",
        "releasable_since",
        "released",
    ]
    list_filter = ["status"]
    search_fields = ["^case__protocol"]
    list_select_related = ["case"]
    # held < releasable < released: the order of the words is the order of a guarantee's life.
    ordering = ["status", "expires_on", "id"]
    show_full_result_count = False
    change_form_template = "admin/atende/guarantee/change_form.html"
    fields = [
        "case_link",
        "form",
        "bank",
        "amount_br",
        "expires",
        "note",
        "verified",
        "status",
        "releasable_since",
        "releasable_reason",
        "released",
        "released_by_name",
        "release_note",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # The guarantees of the cases this user may see (SPEC §10), never more.
        return super().get_queryset(request).filter(case__in=Case.objects.for_user(request.user))

    def get_urls(self):
        def release(request, pk):
            guarantee = get_object_or_404(self.get_queryset(request), pk=pk)
            back = reverse("admin:cases_guarantee_change", args=[guarantee.pk])
            return release_view(request, guarantee.case_id, back)

        return [
            path("<int:pk>/release/", self.admin_site.admin_view(release), name="cases_guarantee_release"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        guarantee = self.get_object(request, object_id)
        releasable = guarantee is not None and guarantee.status == Guarantee.Status.RELEASABLE
        extra = {
            **(extra_context or {}),
            "release_form": GuaranteeReleaseForm() if releasable and request.user.has_perm(MANAGE) else None,
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    @admin.display(description=_("protocol"), ordering="case__protocol")
    def protocol(self, obj):
        return obj.case.protocol

    @admin.display(description=_("request"))
    def case_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:cases_case_change", args=[obj.case_id]), obj.case.protocol
        )

    @admin.display(description=_("amount"), ordering="amount")
    def amount_br(self, obj):
        return money_br(obj.amount)

    @admin.display(description=_("expires on"), ordering="expires_on")
    def expires(self, obj):
        return _date(obj.expires_on)

    @admin.display(description=_("releasable since"), ordering="releasable_at")
    def releasable_since(self, obj):
        return datetime_br(obj.releasable_at) or "—"

    @admin.display(description=_("released at"), ordering="released_at")
    def released(self, obj):
        return datetime_br(obj.released_at) or "—"

    @admin.display(description=_("released by"))
    def released_by_name(self, obj):
        return _who(obj.released_by)

    @admin.display(description=_("verification"))
    def verified(self, obj):
        return f"{datetime_br(obj.verified_at)} — {_who(obj.verified_by)}"
