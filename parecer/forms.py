"""The customer's forms of stage 3: the seed's Vistoria form, the parecer's cancellation (SPEC §6.3, §6.4)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gdportal.brdocs import format_cep, format_document
from gdportal.cases.held import FIELD as HELD_FIELD
from gdportal.cases.held import held_from_token, held_token
from gdportal.formfields import CEPField, DocumentField, NamedRequiredMixin, PhoneField, set_input_attrs
from gdportal.uploads import PDF, check_upload

from .documents import PARECER_COPY, PARECER_COPY_MAX_BYTES
from .services_inspection import FORM_FIELDS

# Autofill tokens for the contact fields (WCAG 1.3.5), as on the request form.
INPUT_ATTRS = {
    "holder_name": {"autocomplete": "name"},
    "street": {"autocomplete": "address-line1"},
    "complement": {"autocomplete": "address-line2"},
    "district": {"autocomplete": "address-level3"},
    "municipality": {"autocomplete": "address-level2"},
    "email": {"autocomplete": "email"},
    "mobile": {"autocomplete": "mobile tel"},
}


class InspectionForm(NamedRequiredMixin, forms.Form):
    """Atende > Mini/Micro GD > Vistoria, in the seed's order; inspection_request has the last word."""

    holder_name = forms.CharField(label=_("Holder"), max_length=200)
    document = DocumentField(label=_("Holder's CPF/CNPJ"))
    street = forms.CharField(label=_("Street/avenue"), max_length=200)
    cep = CEPField()
    street_number = forms.CharField(label=_("Number"), max_length=20)
    complement = forms.CharField(label=_("Complement"), max_length=100, required=False)
    district = forms.CharField(label=_("District"), max_length=100)
    municipality = forms.CharField(label=_("City"), max_length=100)
    email = forms.EmailField(label=_("E-mail"))
    # The inspector calls to agree the visit: a phone is asked for, the mobile is optional.
    phone = PhoneField(label=_("Phone"))
    mobile = PhoneField(label=_("Mobile"), required=False)
    copy = forms.FileField(
        label=_("Attach another copy of the access opinion (optional)"),
        required=False,
        help_text=_("PDF up to 3 MB. Without it, the access opinion Cemig issued is the one attached."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    declaration = forms.BooleanField(
        label=_(
            "I declare that I know the documentation required to handle the request and that the other "
            "information given is true."
        ),
    )

    def __init__(self, *args, user, initial_from=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        set_input_attrs(self, INPUT_ATTRS)
        if initial_from is not None and not self.is_bound:
            self.initial = {name: getattr(initial_from, name, "") for name in FORM_FIELDS}
            self.initial["document"] = format_document(initial_from.document)
            self.initial["cep"] = format_cep(initial_from.cep)
        # A copy that passed the checks on a failed submit is kept (gdportal/cases/held.py): SPEC §13.
        self.held = held_from_token(user, self.data.get(HELD_FIELD, "")) if self.is_bound else {}
        self.verified_copy = None

    @property
    def held_copy(self):
        return self.held.get(PARECER_COPY)

    @property
    def held_token(self):
        return held_token(self.user, self.held)

    def clean_copy(self):
        uploaded = self.cleaned_data.get("copy")
        if not uploaded:
            return None
        # The seed's limit for this file (3 MB), checked by content like every upload.
        check_upload(uploaded, allowed=(PDF,), max_bytes=PARECER_COPY_MAX_BYTES)
        self.verified_copy = uploaded
        return uploaded

    def service_data(self):
        return {name: self.cleaned_data.get(name) or "" for name in FORM_FIELDS}


class ParecerCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
