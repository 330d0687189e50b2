"""Labels for codes that reach a template without their model instance (a `values()` row, an aggregate)."""

from django import template

from gdportal.cases.choices import CaseState, EventAction

register = template.Library()


@register.filter
def state_label(code):
    """`technical_review` → "Under analysis" (translated); an unknown code is shown as it is."""
    return _label(CaseState, code)


@register.filter
def action_label(code):
    return _label(EventAction, code)


def _label(choices, code):
    try:
        return choices(code).label
    except ValueError:
        return code
