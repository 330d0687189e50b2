"""`get_FOO_display()` without translating every label of the field's choices on each call (issue 15).

Django's Model._get_FIELD_display builds `dict(make_hashable(field.flatchoices))` on every call, which hashes
each (value, label) pair, and hashing a lazy label translates it: a case state's label cost the 18 states'
translations, ~0.1 ms, and the order search, the status list and the timelines show one per row. Here the
value → label map is built once per field from the values alone (they are plain strings), and only the label
shown is translated. The answer is the same: the label as text, or the value itself when it is not a choice.
"""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


def _labels(field):
    labels = field.__dict__.get("_gd_choice_labels")
    if labels is None:
        labels = field._gd_choice_labels = {make_hashable(value): label for value, label in field.flatchoices}
    return labels


class ChoiceLabels:
    """Mixed into a model before models.Model: each get_FOO_display() of its choice fields takes this path."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
