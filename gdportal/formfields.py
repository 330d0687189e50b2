"""Form fields that accept what Brazilian users type (SPEC §13): masks optional, decimal comma or dot."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
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


class DocumentField(forms.CharField):
    """CPF or CNPJ, with or without mask; cleaned to bare characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("label", _("CPF/CNPJ"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return validate_document(value) if value else value


class CEPField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 9)
        kwargs.setdefault("label", _("CEP"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return validate_cep(value) if value else value


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")

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
