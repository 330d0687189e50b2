from django import forms
from django.utils.translation import gettext_lazy as _

from gdportal.formfields import NamedRequiredMixin

from .targets import url_problem


class EndpointForm(NamedRequiredMixin, forms.Form):
    url = forms.URLField(
        label=_("Endpoint URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An https:// address of your system that accepts a POST with JSON."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}),
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        max_length=200,
        required=False,
        help_text=_("For you to tell your endpoints apart, e.g. “ERP production”."),
    )

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        problem = url_problem(url)
        if problem:
            raise forms.ValidationError(problem, code="url")
        return url
