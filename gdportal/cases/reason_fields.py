"""The form field every decision form uses to pick reasons from the catalogue (SPEC §15)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .reasons import DecisionReason


class ReasonsField(forms.ModelMultipleChoiceField):
    """Active reasons, as "text (norm reference)". Not required by itself: the service says when a decision
    needs one (a rejection always; a suspension through its documents), with the message at this field."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Reasons (catalogue)"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.SelectMultiple(attrs={"size": 6}))
        kwargs.setdefault(
            "help_text", _("One or more; the customer and the RT read each reason with its norm reference.")
        )
        super().__init__(queryset=DecisionReason.objects.filter(active=True), **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.text} ({obj.norm_reference})"


def share_catalogue(fields):
    """Read the active catalogue once for several ReasonsFields of one form (one per document): each would
    otherwise query it again when rendered."""
    fields = list(fields)
    if fields:
        choices = [(reason.pk, fields[0].label_from_instance(reason)) for reason in fields[0].queryset]
        for field in fields:
            field.choices = choices
