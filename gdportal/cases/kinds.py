"""Document kinds: their labels, accepted file types and who besides the case's people may open them.

Stage 1's identity papers are here from the start; later stages register their kinds (register_kinds). No
model import: the models and the document store both read this registry.
"""

from gdportal.uploads import JPEG, PDF, PNG

from .choices import DocumentKind

IDENTITY_TYPES = (PDF, JPEG, PNG)

_LABELS = dict(DocumentKind.choices)
_ALLOWED = dict.fromkeys(DocumentKind.values, IDENTITY_TYPES)
# What the inspector may open (SPEC §1): a kind is left out unless its stage says the inspection needs it.
# Stage 1's identity and company papers never are.
_FOR_INSPECTION = set()


def register_kinds(choices, allowed, *, for_inspection=False):
    for value, label in choices:
        _LABELS[value] = label
        _ALLOWED[value] = allowed
        if for_inspection:
            _FOR_INSPECTION.add(value)


def inspection_kinds():
    return sorted(_FOR_INSPECTION)


def kind_label(kind):
    return _LABELS.get(kind, kind)


def allowed_types(kind):
    return _ALLOWED[kind]
