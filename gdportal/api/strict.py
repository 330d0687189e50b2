"""Request fields that accept exactly what the schema says, and the pages' forms behind them.

The schema is a promise to integrators (and schemathesis checks it): whatever it forbids must be refused.
DRF's own fields are kinder than their schemas — a CharField takes the number 7 and trims "MG  " before
counting its length, a BooleanField takes "on" and 0 — so the request serializers of /api/v1/ use these
instead, and the pages' forms then judge the same values with the pages' rules and pt-BR messages
(`validate_with_form`).
"""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class FullMatch(RegexValidator):
    """A pattern the whole value matches (`re.search` with `$` lets "0123456789\\n" through)."""

    def __call__(self, value):
        if not isinstance(value, str) or not self.regex.fullmatch(value):
            from django.core.exceptions import ValidationError

            raise ValidationError(self.message, code=self.code)


class StrictCharField(serializers.CharField):
    """A JSON string and nothing else, its length counted as sent."""

    def __init__(self, *, pattern=None, pattern_message=None, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        validators = list(kwargs.pop("validators", []))
        if pattern:
            validators.append(FullMatch(pattern, message=pattern_message or _("Invalid format.")))
        super().__init__(validators=validators, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


DECIMAL_MESSAGE = _('Send the number as a string with a point or comma for the decimals, e.g. "8.5".')


class DecimalString(StrictCharField):
    """A decimal sent as a string ("8.5" or "8,5"), as the API answers them; `digits` before and `places`
    after the separator, as the column holds."""

    def __init__(self, *, digits, places, signed=False, **kwargs):
        sign = "-?" if signed else ""
        pattern = rf"^{sign}[0-9]{{1,{digits}}}([.,][0-9]{{1,{places}}})?$"
        kwargs.setdefault("error_messages", {"invalid": DECIMAL_MESSAGE})
        super().__init__(pattern=pattern, pattern_message=DECIMAL_MESSAGE, **kwargs)


@extend_schema_field(OpenApiTypes.DATE)
class DateString(StrictCharField):
    """A date as aaaa-mm-dd (RFC 3339's full-date, nothing else Python's parsers would take)."""

    def __init__(self, **kwargs):
        message = _("Use the date as yyyy-mm-dd, e.g. 2027-03-01.")
        kwargs.setdefault("error_messages", {"invalid": message})
        super().__init__(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", pattern_message=message, **kwargs)


class StrictBooleanField(serializers.BooleanField):
    """true or false — not "on", 1 or "yes"."""

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)


def form_errors(form):
    """The form's errors as the API reports them: {field: [pt-BR message]}, the form-wide ones under ""."""
    errors = {}
    for field, messages in form.errors.items():
        errors["non_field_errors" if field == "__all__" else field] = list(messages)
    return errors


def validate_with_form(serializer, form):
    """Both judge the request; for a field both refuse, the page's message wins (the same words as the page).

    Raises DRF's ValidationError with every field refused, or returns the serializer's validated data.
    """
    serializer_ok = serializer.is_valid()
    form_ok = form.is_valid()
    if serializer_ok and form_ok:
        return serializer.validated_data
    errors = {field: list(messages) for field, messages in (serializer.errors or {}).items()}
    errors.update(form_errors(form))
    raise serializers.ValidationError(errors)
