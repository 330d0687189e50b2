"""The study fields every flow-inversion decision form shows (SPEC §15): the PDF, its engineer, its ART.

The forms only read what was typed; `gdportal.cases.flow` decides (and refuses, at these field names)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .flow import FIELD_ART, FIELD_ENGINEER, FIELD_FILE


def study_fields(required=False):
    """{name: field} to add to a form; `required` for the delivery form, optional beside a decision."""
    return {
        FIELD_FILE: forms.FileField(
            label=_("Flow-inversion study (PDF)"),
            required=required,
            help_text=_("The customer and the RT download it from the request's page."),
        ),
        FIELD_ENGINEER: forms.CharField(
            label=_("Engineer responsible for the study"), max_length=200, required=required
        ),
        FIELD_ART: forms.CharField(
            label=_("ART number of the study"),
            max_length=30,
            required=required,
            help_text=_("E.g. MG20260012345."),
        ),
    }


def study_kwargs(cleaned_data):
    """The service's keyword arguments from a form holding the study fields."""
    return {
        FIELD_FILE: cleaned_data.get(FIELD_FILE),
        FIELD_ENGINEER: cleaned_data.get(FIELD_ENGINEER) or "",
        FIELD_ART: cleaned_data.get(FIELD_ART) or "",
    }


class StudiesDeliveryForm(forms.Form):
    """The analyst's answer to "Solicitar estudos de inversão de fluxo"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(study_fields(required=False))
