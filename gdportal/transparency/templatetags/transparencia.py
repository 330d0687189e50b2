"""Figures of the transparency page as Brazilians read them: '2,5' days, '75,0 %', '—' where none."""

from django import template

from gdportal.transparency.figures import days_br, pct_br

register = template.Library()


@register.filter
def days(value):
    return days_br(value)


@register.filter
def pct(value):
    return pct_br(value)


@register.filter
def count(value):
    return "—" if value is None else value
