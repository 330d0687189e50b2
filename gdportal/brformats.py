"""Brazilian display of moments, money and quantities (SPEC §13), for code that is not a template.

Templates use the `br` filters (gdportal/web/templatetags/br.py), which call these; a model's __str__ (shown
by the admin beside its formatted fields) and messages built in Python call them directly. The separators are
Brazil's whatever language the page is in: these are reais and kW in Minas Gerais.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import numberformat, timezone


def datetime_br(value):
    """An aware moment as São Paulo's `dd/mm/aaaa HH:MM` (a naive one is taken as UTC, as the database's)."""
    if value is None:
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def number_br(value, decimal_pos=None):
    """1000.5 → '1.000,5'; with decimal_pos=2 → '1.000,50'. Anything that is not a number comes back as is."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    if decimal_pos is not None:
        # Rounded here: numberformat cuts the extra places off.
        number = number.quantize(Decimal(1).scaleb(-decimal_pos), rounding=ROUND_HALF_UP)
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    return numberformat.format(
        number, ",", decimal_pos=decimal_pos, grouping=3, thousand_sep=".", force_grouping=True
    )


def money_br(value):
    """50001 → 'R$ 50.001,00'."""
    if value is None or value == "":
        return ""
    return f"R$ {number_br(value, decimal_pos=2)}"
