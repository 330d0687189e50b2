"""The staff forms of stage 3 (the admin's work pages). They only read what was typed — a decimal comma, a
dd/mm/aaaa date — and leave the rules to the services (parecer.services, parecer.services_inspection), whose
RuleBroken errors come back next to the same field names."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gdportal.cases.flow import FIELD_FLOW
from gdportal.cases.flow_forms import study_fields
from gdportal.cases.reason_fields import ReasonsField
from gdportal.formfields import BRDateField, BRDecimalField, NamedRequiredMixin
from gdportal.generation.choices import DeclarationCode
from gdportal.generation.declared import declaration
from gdportal.registry.models import InstallationClass, Phases, Voltage

from .models import InspectionPeriod, TariffGroup

BLANK = [("", "---------")]
# Pre-filled text of the document itself, which is always rendered in pt-BR (SPEC §6.1): not translated.
DEFAULT_METERING = "Medidor bidirecional"


def _text(rows=3, **kwargs):
    return forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": rows, "cols": 70}), **kwargs)


def apply_errors(form, errors):
    """Put a service's {field: message} next to the form's fields (on top when the form has no such field)."""
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, str(message))


def guess_tariff_group(installation):
    """A starting point the analyst may change: MT is group A (A4), BT is B1/B2/B3 by the unit's class."""
    if installation is None:
        return ""
    if installation.voltage == Voltage.MEDIUM:
        return TariffGroup.A4
    if installation.installation_class == InstallationClass.RESIDENTIAL:
        return TariffGroup.B1
    if installation.installation_class == InstallationClass.RURAL:
        return TariffGroup.B2
    return TariffGroup.B3


def declarations_for_parecer(case):
    """The optional declarations of the data step (SPEC §16) the analyst issuing the parecer must see: 8.3
    asks for the contracts and the payment slip with the orçamento; 8.1 (inspection right after) and 8.2
    (withdrawal waived) change what follows it. Each with who made it and when."""
    shown = []
    for code, consequence in (
        (
            DeclarationCode.CONTRACTS_WITH_BUDGET,
            _("Deliver the contracts and the payment slip together with the access opinion."),
        ),
        (
            DeclarationCode.READY,
            _("The inspection will be requested automatically once the opinion is accepted."),
        ),
        (DeclarationCode.WAIVE_WITHDRAWAL, _("The right to withdraw from the budget was waived.")),
    ):
        made = declaration(case, code)
        if made is not None:
            shown.append(
                {
                    "code": code.value,
                    "text": code.label,
                    "consequence": consequence,
                    "by": made.by.get_full_name() or made.by.username,
                    "at": made.at,
                }
            )
    return shown


class ParecerIssueForm(NamedRequiredMixin, forms.Form):
    """Emitir parecer de acesso (SPEC §6.1, REN 1.000 art. 69)."""

    favourable = forms.TypedChoiceField(
        label=_("Opinion"),
        choices=[("yes", _("Favourable")), ("no", _("Unfavourable"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    unfavourable_reason = _text(
        label=_("Reason (unfavourable opinion)"),
        help_text=_("The customer reads it: say what prevents access."),
    )
    reasons = ReasonsField(label=_("Reasons (unfavourable opinion)"))
    voltage = forms.ChoiceField(
        label=_("Connection voltage"), choices=BLANK + Voltage.choices, required=False
    )
    phases = forms.ChoiceField(label=_("Phases"), choices=BLANK + Phases.choices, required=False)
    tariff_group = forms.ChoiceField(
        label=_("Tariff group"), choices=BLANK + TariffGroup.choices, required=False
    )
    connection_point = _text(rows=2, label=_("Connection point"), help_text=_("E.g. feeder and transformer."))
    metering = _text(rows=2, label=_("Metering requirements"))
    protection = _text(rows=2, label=_("Protection requirements"))
    works_needed = forms.BooleanField(label=_("Grid works are needed"), required=False)
    works_description = _text(label=_("Grid works"))
    works_deadline_days = forms.IntegerField(
        label=_("Grid works deadline (days)"), required=False, min_value=1, max_value=3650
    )
    financial_participation = BRDecimalField(
        label=_("Financial participation (R$)"),
        required=False,
        thousands=True,
        max_digits=14,
        decimal_places=2,
        help_text=_("Zero for microgeneration (Lei 14.300 art. 8 §6). E.g. 1.234,56."),
    )
    customer_works = _text(label=_("Works on the customer's side"))

    def __init__(self, *args, case, **kwargs):
        installation = case.installation
        kwargs.setdefault(
            "initial",
            {
                "voltage": installation.voltage if installation else "",
                "phases": installation.phases if installation else "",
                "tariff_group": guess_tariff_group(installation),
                "metering": DEFAULT_METERING,
                "works_needed": case.grid_works_needed,
                # The staff clock for the works (SPEC §9, art. 88) as the deadline to write down.
                "works_deadline_days": settings.GD_GRID_WORKS_DAYS if case.grid_works_needed else None,
                "financial_participation": Decimal("0"),
            },
        )
        super().__init__(*args, **kwargs)
        # "Por inversão de fluxo" (SPEC §15): offered only when art. 73-A does not dispense the case.
        if not case.flow_dispensation:
            self.fields[FIELD_FLOW] = forms.BooleanField(
                label=_("For flow inversion (unfavourable, or favourable with an injection limit)"),
                required=False,
            )
            self.fields["injection_limit_kw"] = BRDecimalField(
                label=_("Injection limit (kW)"),
                required=False,
                max_digits=9,
                decimal_places=2,
                help_text=_("Only when the study limits what the plant may inject. E.g. 5,50."),
            )
            self.fields.update(study_fields())
        self.declarations = declarations_for_parecer(case)

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["reasons"] = list(data.get("reasons") or [])
        if data["financial_participation"] is None:
            data["financial_participation"] = Decimal("0")
        return data


class ClockPauseForm(NamedRequiredMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the count is paused"),
        max_length=200,
        help_text=_(
            "A consultation of the ONS or another distributor, or information from a public authority."
        ),
        error_messages={"required": _("Say why the count is paused: the customer is told.")},
    )


class PaymentForm(NamedRequiredMixin, forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=200, required=False)


class WorksDoneForm(NamedRequiredMixin, forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ParecerCancelForm(NamedRequiredMixin, forms.Form):
    reason = forms.CharField(
        label=_("The holder's written request"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text=_(
            "Date and means of the request, and its reason: staff cancel only at the holder's request."
        ),
        error_messages={
            "required": _(
                "Staff cancel a delivered access opinion only at the holder's written request: describe it."
            )
        },
    )


# The inspector's forms (SPEC §6.3), each posted with its own prefix: no two date fields share an id.
class ScheduleForm(NamedRequiredMixin, forms.Form):
    date = BRDateField(label=_("Visit date"), required=False)
    period = forms.ChoiceField(
        label=_("Period"), choices=InspectionPeriod.choices, required=False, widget=forms.RadioSelect
    )


class VisitForm(NamedRequiredMixin, forms.Form):
    visited_on = BRDateField(label=_("Visited on"), required=False)


class PassForm(NamedRequiredMixin, forms.Form):
    visited_on = BRDateField(label=_("Visited on"), required=False)
    meter_number = forms.CharField(label=_("Bidirectional meter number"), max_length=30, required=False)
    connected_on = BRDateField(label=_("Connection date"), required=False)


class FailForm(NamedRequiredMixin, forms.Form):
    visited_on = BRDateField(label=_("Visited on"), required=False)
    report = forms.CharField(
        label=_("Report of pending items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 70}),
        help_text=_("One pending item per line."),
    )
