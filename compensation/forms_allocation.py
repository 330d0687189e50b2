"""The seed's "Cadastramento de UC recebedora" form and its "Relação de instalações" rows (SPEC §7.1).

The forms only read what was typed (numbers with a comma or a dot, the chosen file checked by content); every
rule of §7.1 is judged by compensation.services.allocation_request, whose messages the view puts back at the
row or field that broke them.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from gdportal.cases.held import FIELD as HELD_FIELD
from gdportal.cases.held import held_from_token, held_token
from gdportal.formfields import BRDecimalField, NamedRequiredMixin, PhoneField, set_input_attrs
from gdportal.registry.models import Voltage
from gdportal.uploads import PDF, check_upload

from .allocation_rules import RowInput
from .models import AllocationMode, LegalForm, UnitType
from .services import LEGAL_INSTRUMENT

# A titular with more receiving units than this files through the utility's import (import_allocations).
MAX_ROWS = 50
ROWS_PREFIX = "rows"

INPUT_ATTRS = {
    "contact_name": {"autocomplete": "name"},
    "contact_email": {"autocomplete": "email"},
    "contact_mobile": {"autocomplete": "mobile tel"},
}


class AllocationRequestForm(NamedRequiredMixin, forms.Form):
    unit_type = forms.ChoiceField(label=_("Type of unit"), choices=[("", _("Select…")), *UnitType.choices])
    voltage = forms.ChoiceField(
        label=_("Customer connected at"), choices=Voltage.choices, widget=forms.RadioSelect
    )
    contact_name = forms.CharField(label=_("Name"), max_length=200)
    contact_phone = PhoneField(label=_("Phone"))
    contact_mobile = PhoneField(label=_("Mobile"), required=False)
    contact_email = forms.EmailField(label=_("E-mail"))
    mode = forms.ChoiceField(
        label=_("How the credits are shared"),
        choices=AllocationMode.choices,
        initial=AllocationMode.PERCENT,
        widget=forms.RadioSelect,
    )
    # Priority order: the row index whose unit takes what is left (a radio button on each row).
    remainder_to = forms.CharField(
        label=_("Unit that takes the remainder"), required=False, widget=forms.HiddenInput
    )
    legal_form = forms.ChoiceField(
        label=_("Legal form of the shared generation"),
        choices=[("", _("Not applicable")), *LegalForm.choices],
        required=False,
        help_text=_("For shared generation and multiple consumer units."),
    )
    legal_instrument = forms.FileField(
        label=_("Legal instrument (PDF)"),
        required=False,
        help_text=_(
            "For shared generation and multiple consumer units: the consortium or cooperative agreement, or "
            "the condominium's convention, binding the participants. PDF up to 3 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, user, held=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        set_input_attrs(self, INPUT_ATTRS)
        # A PDF that passed the checks on a failed submit (or an "Inserir registro" without JavaScript) is
        # kept for the next one: SPEC §13, gdportal/cases/held.py.
        if held is not None:
            self.held = held
        else:
            self.held = held_from_token(user, self.data.get(HELD_FIELD, "")) if self.is_bound else {}
        self.verified_instrument = None

    @property
    def held_instrument(self):
        return self.held.get(LEGAL_INSTRUMENT)

    @property
    def held_token(self):
        return held_token(self.user, self.held)

    def clean_legal_instrument(self):
        uploaded = self.cleaned_data.get("legal_instrument")
        if not uploaded:
            return None
        check_upload(uploaded, allowed=(PDF,))
        self.verified_instrument = uploaded
        return uploaded

    def typed(self):
        """What was typed, to show again on an unbound form (the files go through `held`)."""
        return {name: self[name].data for name in self.fields if name != "legal_instrument"}


class AllocationRowForm(forms.Form):
    """One row of "Relação de instalações". Every field is optional here: a blank row is skipped, and what a
    filled row lacks is said by the rules, at the row."""

    installation = forms.CharField(
        label=_("Installation"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 12}),
    )
    percent = BRDecimalField(
        label=_("Percentage (%)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 7}),
    )
    priority = forms.IntegerField(
        label=_("Order"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )

    def is_blank(self):
        data = getattr(self, "cleaned_data", {})
        raw = [self[name].data for name in self.fields]
        return not any(str(value or "").strip() for value in raw) and not any(data.values())

    def typed(self):
        return {name: self[name].data for name in self.fields}


AllocationRowFormSet = forms.formset_factory(
    AllocationRowForm, extra=0, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS
)


def row_formset(data=None, *, initial=None, rows=2):
    """Bound to a POST, or a new list with `rows` empty rows (or the rows `initial` gives)."""
    if data is not None:
        return AllocationRowFormSet(data, prefix=ROWS_PREFIX)
    initial = initial if initial is not None else [{} for _ in range(rows)]
    return AllocationRowFormSet(initial=initial, prefix=ROWS_PREFIX)


def service_rows(formset):
    """[(formset index, RowInput)] for the rows that are not blank, in the order shown."""
    rows = []
    for index, form in enumerate(formset.forms):
        if form.is_blank():
            continue
        data = form.cleaned_data
        rows.append(
            (
                index,
                RowInput(
                    installation=(data.get("installation") or "").strip(),
                    percent=data.get("percent"),
                    priority=data.get("priority"),
                    line=index + 1,
                ),
            )
        )
    return rows


__all__ = ["HELD_FIELD", "AllocationRequestForm", "AllocationRowFormSet", "row_formset", "service_rows"]
