""" "Dados técnicos da geração" as the RT's page takes it (SPEC §16): the step's fields and four lists of rows
(modules, inverters, generators, participating units).

The forms only read what was typed (numbers with a comma or a dot); every rule of §16 and §7.1 is the
kernel's (gdportal.generation.validate), whose messages the view puts back at the row or field that broke
them. A row left blank is skipped; "Adicionar linha" and "Remover" work as plain submits without JavaScript.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from gdportal.formfields import BRDecimalField
from gdportal.generation.choices import BuildingType, DeclarationCode, GenerationType, UnitsMode
from gdportal.generation.validate import MAX_ROWS


def text_input(**attrs):
    return forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", **attrs})


def number_input(**attrs):
    return text_input(inputmode="decimal", **attrs)


class GenerationForm(forms.Form):
    generation_type = forms.ChoiceField(
        label=_("Generation type"), choices=GenerationType.choices, widget=forms.RadioSelect
    )
    array_area_m2 = BRDecimalField(
        label=_("Arrays' area (m²)"), required=False, max_digits=10, decimal_places=2, widget=number_input()
    )
    has_storage = forms.BooleanField(label=_("The plant has storage (batteries)"), required=False)
    storage_kwh = BRDecimalField(
        label=_("Storage energy (kWh)"),
        required=False,
        max_digits=10,
        decimal_places=2,
        widget=number_input(),
    )
    storage_kw = BRDecimalField(
        label=_("Storage power (kW)"), required=False, max_digits=10, decimal_places=2, widget=number_input()
    )
    storage_islanded = forms.BooleanField(label=_("Islanded operation"), required=False)
    building_type = forms.ChoiceField(
        label=_("Building type"), choices=BuildingType.choices, widget=forms.RadioSelect
    )
    leased_roof = forms.BooleanField(label=_("Leased roof"), required=False)
    lessor_installation = forms.CharField(
        label=_("Lessor's installation"),
        required=False,
        max_length=20,
        widget=text_input(inputmode="numeric"),
    )
    breaker_a = forms.IntegerField(
        label=_("Entrance breaker (A)"), required=False, min_value=1, widget=text_input(inputmode="numeric")
    )
    breaker_poles = forms.TypedChoiceField(
        label=_("Breaker poles"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "1"), (2, "2"), (3, "3")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    pole_under_30m = forms.NullBooleanField(
        label=_("Distance from the entrance to the pole under 30 m"),
        required=False,
        widget=forms.NullBooleanSelect(attrs={"class": "form-select"}),
    )
    units_mode = forms.ChoiceField(
        label=_("How the credits are shared"),
        choices=UnitsMode.choices,
        initial=UnitsMode.PERCENT,
        widget=forms.RadioSelect,
        required=False,
    )
    declarations = forms.MultipleChoiceField(
        label=_("Declarations"),
        required=False,
        choices=[(code.value, f"{code.value} — {code.label}") for code in DeclarationCode],
        widget=forms.CheckboxSelectMultiple,
    )

    def typed(self):
        return {
            name: (self[name].data if name != "declarations" else self.data.getlist(self.add_prefix(name)))
            for name in self.fields
        }


class RowForm(forms.Form):
    """A row of one list; every field optional here: a blank row is skipped, a filled one judged whole."""

    def is_blank(self):
        return not any(str(self[name].data or "").strip() for name in self.fields if name != "DELETE")

    def typed(self):
        return {name: self[name].data for name in self.fields if name != "DELETE"}


def _maker():
    return forms.CharField(label=_("Manufacturer"), required=False, max_length=100, widget=text_input())


def _model():
    return forms.CharField(label=_("Model"), required=False, max_length=100, widget=text_input())


def _quantity():
    return forms.IntegerField(
        label=_("Quantity"), required=False, min_value=1, widget=text_input(inputmode="numeric", size=5)
    )


class ModuleRowForm(RowForm):
    manufacturer = _maker()
    model = _model()
    power_w = BRDecimalField(
        label=_("Power (W)"), required=False, max_digits=8, decimal_places=1, widget=number_input(size=7)
    )
    quantity = _quantity()


class InverterRowForm(RowForm):
    manufacturer = _maker()
    model = _model()
    power_kw = BRDecimalField(
        label=_("AC power (kW)"), required=False, max_digits=9, decimal_places=3, widget=number_input(size=7)
    )
    quantity = _quantity()
    voltage_v = forms.IntegerField(
        label=_("Connection voltage (V)"), required=False, min_value=1, widget=text_input(inputmode="numeric")
    )
    inmetro = forms.CharField(
        label=_("INMETRO registration"), required=False, max_length=40, widget=text_input()
    )


class GeneratorRowForm(RowForm):
    manufacturer = _maker()
    model = _model()
    power_kva = BRDecimalField(
        label=_("Power (kVA)"), required=False, max_digits=9, decimal_places=2, widget=number_input(size=7)
    )
    quantity = _quantity()


class UnitRowForm(RowForm):
    installation = forms.CharField(
        label=_("Installation"), required=False, max_length=20, widget=text_input(inputmode="numeric")
    )
    percentage = BRDecimalField(
        label=_("Percentage (%)"), required=False, max_digits=6, decimal_places=3, widget=number_input(size=7)
    )
    priority = forms.IntegerField(
        label=_("Order"), required=False, min_value=1, widget=text_input(inputmode="numeric", size=4)
    )


GROUPS = {
    "modules": (ModuleRowForm, _("Photovoltaic modules")),
    "inverters": (InverterRowForm, _("Inverters")),
    "generators": (GeneratorRowForm, _("Generators")),
    "units": (UnitRowForm, _("Participating units")),
}


def row_formset(group, data=None, *, initial=None):
    form_class = GROUPS[group][0]
    formset_class = forms.formset_factory(
        form_class, extra=0, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS
    )
    if data is not None:
        return formset_class(data, prefix=group)
    return formset_class(initial=initial or [], prefix=group)


def service_rows(formset):
    """[(formset index, cleaned row)] of the rows not left blank, in the order shown."""
    return [
        (index, {k: v for k, v in form.cleaned_data.items()})
        for index, form in enumerate(formset.forms)
        if not form.is_blank()
    ]
