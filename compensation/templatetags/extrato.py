"""Filters for the statement's pages: quantities with 2 decimals and a decimal comma (SPEC §7.2, §13)."""

from django import template

from gdportal.brformats import number_br

register = template.Library()


@register.filter
def kwh2(value):
    """Decimal('1234.5') → '1.234,50': the statement prints every kWh figure with 2 decimals."""
    return number_br(value, decimal_pos=2)


@register.filter
def reais(value):
    """An amount without the R$ sign, for tables whose column heading carries it: '1.234,50'."""
    return number_br(value, decimal_pos=2)


@register.filter
def saving(row):
    """What the GD saved on a cycle's (or a period's) energy parcel, in R$."""
    return row.parcel_without_gd_brl - row.energy_parcel_brl
