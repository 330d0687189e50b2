"""Brazilian display formats for templates (SPEC §13)."""

from django import template

from gdportal.brdocs import mask_name, only_digits
from gdportal.brformats import money_br, number_br

register = template.Library()


@register.filter
def phone(value):
    """'31988887777' → '(31) 98888-7777'; '3132221111' → '(31) 3222-1111'; anything else as it came."""
    digits = only_digits(value)
    if len(digits) == 11:
        return f"({digits[:2]}) {digits[2:7]}-{digits[7:]}"
    if len(digits) == 10:
        return f"({digits[:2]}) {digits[2:6]}-{digits[6:]}"
    return value


@register.filter
def masked_name(value):
    """'Maria Aparecida Souza' → 'M**** A******** S****' (an RT who does not serve the holder)."""
    return mask_name(value)


@register.filter
def brl(value):
    """Reais with the thousands separator: Decimal('50001') → 'R$ 50.001,00'."""
    return money_br(value)


@register.filter
def br_number(value):
    """A quantity as Brazilians write it, no trailing zeros: Decimal('1000.50') → '1.000,5' (kW, kWh)."""
    return number_br(value)
