"""Form fields that accept what Brazilian users type (SPEC §13): masks optional, decimal comma or dot, dates
as dd/mm/aaaa; and the small per-form touches of issue 10 (keyboard, autofill, errors that name the field).

`data-mask` on an input asks static/js/portal.js to show the value the Brazilian way as it is typed or pasted;
only presentation: the fields here clean the value with or without the punctuation.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .brdocs import only_digits, validate_cep, validate_document

# Dots that group thousands: "1.000", "12.500", "1.250.000" — a first group without a leading zero, then
# groups of exactly three digits, and no comma anywhere.
THOUSANDS_DOTS = re.compile(r"[-+]?[1-9]\d{0,2}(\.\d{3})+")


class BRDecimalField(forms.DecimalField):
    """'8,5', '8.5' and '1.234,5' all work; the widget is text so the browser does not reject the comma.

    With a comma, the comma is the decimal point and every dot groups thousands ('1.000,5'). Without one, the
    dot is the decimal point (SPEC §13: '8.5' is eight and a half) — except in a field made with
    `thousands=True` (a power in kW, never typed with three decimal places), where dots each followed by
    exactly three digits group thousands: '1.000' is one thousand; '8.5' and '8.50' keep their decimal dot
    (so does '0.500': no first group starts with 0). '1,000.5' (an English number) is refused with a message
    rather than guessed.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def __init__(self, *, thousands=False, **kwargs):
        self.thousands = thousands
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(" ", "")
        if "," in text:
            if text.rfind(".") > text.rfind(","):
                raise ValidationError(
                    _("Use the comma for the decimals and the dot only for thousands, e.g. 1.234,5."),
                    code="invalid",
                )
            text = text.replace(".", "").replace(",", ".")
        elif self.thousands and THOUSANDS_DOTS.fullmatch(text):
            text = text.replace(".", "")
        try:
            return Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(_("Enter a number, e.g. 8,5."), code="invalid") from exc

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            text = format(value.normalize(), "f")
            return text.replace(".", ",")
        return value


# A CNPJ may have letters in its first 12 characters (from July 2026): a text keyboard, in capitals.
DOCUMENT_ATTRS = {
    "inputmode": "text",
    "autocapitalize": "characters",
    "spellcheck": "false",
    "data-mask": "document",
}
CPF_ATTRS = {"inputmode": "numeric", "data-mask": "cpf"}
PROTOCOL_ATTRS = {"inputmode": "numeric", "autocomplete": "off", "data-mask": "protocol"}
NUMERIC_ATTRS = {"inputmode": "numeric", "autocomplete": "off"}


class DocumentField(forms.CharField):
    """CPF or CNPJ, with or without mask; cleaned to bare characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("label", _("CPF/CNPJ"))
        super().__init__(**kwargs)
        self.widget.attrs.update({**DOCUMENT_ATTRS, **self.widget.attrs})

    def clean(self, value):
        value = super().clean(value)
        return validate_document(value) if value else value


class CEPField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 9)
        kwargs.setdefault("label", _("CEP"))
        super().__init__(**kwargs)
        attrs = {"inputmode": "numeric", "autocomplete": "postal-code", "data-mask": "cep"}
        self.widget.attrs.update({**attrs, **self.widget.attrs})

    def clean(self, value):
        value = super().clean(value)
        return validate_cep(value) if value else value


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        # "tel": the phone keypad (digits, and "+" for a number typed with +55).
        if isinstance(self.widget, forms.TextInput):
            self.widget.input_type = "tel"
        attrs = {"inputmode": "tel", "autocomplete": "tel", "data-mask": "phone"}
        self.widget.attrs.update({**attrs, **self.widget.attrs})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        digits = only_digits(value)
        if digits.startswith("55") and len(digits) > 11:
            digits = digits[2:]
        if not re.fullmatch(r"\d{10,11}", digits):
            raise ValidationError(_("Enter the phone with area code, e.g. (31) 98888-7777."), code="phone")
        return digits


DATE_FORMAT = "%d/%m/%Y"


class BRDateField(forms.DateField):
    """A date typed as dd/mm/aaaa whatever the browser's language (an <input type=date> shows mm/dd/yyyy in an
    English browser). ISO (aaaa-mm-dd) is accepted too: what a date picker or a script sends."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATE_FORMAT, "%Y-%m-%d"])
        # A model's DateField passes help_text="" to its form field: that counts as none.
        kwargs["help_text"] = kwargs.get("help_text") or _("dd/mm/yyyy, e.g. 01/03/2027.")
        kwargs.setdefault("widget", forms.TextInput)
        kwargs.setdefault("error_messages", {"invalid": _("Type the date as dd/mm/yyyy, e.g. 01/03/2027.")})
        super().__init__(**kwargs)
        attrs = {"inputmode": "numeric", "autocomplete": "off", "data-mask": "date", "maxlength": "10"}
        self.widget.attrs.update({**attrs, **self.widget.attrs})

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return value.strftime(DATE_FORMAT)
        return value


# --- per form ----------------------------------------------------------------------------------------------


def set_input_attrs(form, attrs_by_field):
    """Add HTML attributes (autocomplete, inputmode, data-mask) to the named fields the form has."""
    for name, attrs in attrs_by_field.items():
        if name in form.fields:
            form.fields[name].widget.attrs.update(attrs)


def required_message(field, name):
    label = field.label or pretty_name(name)
    if isinstance(field, forms.BooleanField):
        return gettext("Tick this box to go on.")
    if isinstance(field, forms.ChoiceField):
        return gettext("Choose an option in “%(label)s”.") % {"label": label}
    if isinstance(field, forms.FileField):
        return gettext("Attach the file “%(label)s”.") % {"label": label}
    return gettext("Fill in the field “%(label)s”.") % {"label": label}


def name_required_errors(form):
    """'This field is required.' next to a field, and in the error summary, says which field (WCAG 3.3.1):
    "Preencha o campo “CEP”." A message a form chose itself is left alone."""
    default = forms.Field.default_error_messages["required"]
    for name, field in form.fields.items():
        if field.error_messages.get("required") is default:
            field.error_messages["required"] = required_message(field, name)


class NamedRequiredMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_required_errors(self)
