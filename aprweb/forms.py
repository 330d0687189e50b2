from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gdportal.accounts.identifiers import identifier_key
from gdportal.brdocs import only_digits, validate_cpf
from gdportal.cases.documents import allowed_types
from gdportal.formfields import (
    CPF_ATTRS,
    NUMERIC_ATTRS,
    PROTOCOL_ATTRS,
    BRDateField,
    BRDecimalField,
    CEPField,
    DocumentField,
    NamedRequiredMixin,
    PhoneField,
    set_input_attrs,
)
from gdportal.uploads import check_upload
from gdportal.web.captcha import PortalCaptchaField

from . import rules
from .models import AprOrder, RTRegistration


class RTRegistrationForm(NamedRequiredMixin, forms.ModelForm):
    """'Solicitação de Cadastro' (SPEC §5.1)."""

    cpf = forms.CharField(label=_("CPF"), max_length=14, widget=forms.TextInput(attrs=CPF_ATTRS))
    cep = CEPField()
    email_confirmation = forms.EmailField(label=_("E-mail confirmation"))
    captcha = PortalCaptchaField()

    class Meta:
        model = RTRegistration
        fields = [
            "name",
            "cpf",
            "rg",
            "email",
            "email_confirmation",
            "street",
            "street_number",
            "district",
            "cep",
            "municipality",
            "uf",
            "council",
            "council_number",
            "title",
        ]

    def __init__(self, *args, text_challenge=False, **kwargs):
        super().__init__(*args, **kwargs)
        if text_challenge:  # no voice on this machine: a question in text is the alternative to the image
            self.fields["captcha"].use_text_mode()
        # The RT's own data: autofill tokens (WCAG 1.3.5).
        set_input_attrs(
            self,
            {
                "name": {"autocomplete": "name"},
                "email": {"autocomplete": "email"},
                "email_confirmation": {"autocomplete": "email"},
                "street": {"autocomplete": "address-line1"},
                "district": {"autocomplete": "address-level3"},
                "municipality": {"autocomplete": "address-level2"},
                "uf": {"autocomplete": "address-level1", "autocapitalize": "characters"},
            },
        )

    def clean_cpf(self):
        cpf = validate_cpf(self.cleaned_data["cpf"])
        if (
            RTRegistration.objects.filter(cpf=cpf).exclude(status=RTRegistration.Status.REJECTED).exists()
            or get_user_model().objects.filter(cpf=cpf).exists()
        ):
            raise ValidationError(_("This CPF is already registered in APR Web."), code="taken")
        return cpf

    def clean_email(self):
        email = self.cleaned_data["email"]
        key = identifier_key(email)
        # On approval the e-mail's key becomes the account's username: it must fit that column.
        limit = get_user_model()._meta.get_field("username").max_length
        if len(key) > limit:
            raise ValidationError(
                _("An e-mail address for APR Web has at most %(limit_value)d characters."),
                code="max_length",
                params={"limit_value": limit},
            )
        # Any spelling that folds to an existing account's e-mail ("ANA@…", "ana@…" with a dotless ı) is
        # that account: Atende's login and the lockout treat them as one.
        if get_user_model().objects.filter(Q(email_key=key) | Q(username=key)).exists():
            raise ValidationError(_("This e-mail is already registered."), code="email_taken")
        return email

    def clean_uf(self):
        return (self.cleaned_data.get("uf") or "").strip().upper()

    def clean(self):
        data = super().clean()
        email, confirmation = data.get("email"), data.get("email_confirmation")
        if email and confirmation and identifier_key(email) != identifier_key(confirmation):
            self.add_error("email_confirmation", _("The two e-mails do not match."))
        return data

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.errors:
            # A challenge answers once (its row is spent, right or wrong) and the widget draws a new image on
            # every page, with the answer box empty: say so, or the emptied box looks like a lost answer.
            new_image = _("Type the characters of the new image.")
            # The bound field copied the help text when the fields were cleaned: change both.
            self.fields["captcha"].help_text = self["captcha"].help_text = new_image


NEW_PASSWORD = forms.PasswordInput(attrs={"autocomplete": "new-password"})


class AprSetPasswordForm(NamedRequiredMixin, forms.Form):
    password1 = forms.CharField(label=_("New APR Web password"), widget=NEW_PASSWORD, strip=False)
    password2 = forms.CharField(label=_("Repeat the password"), widget=NEW_PASSWORD, strip=False)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords do not match."))
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"], self.user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class OrderLookupForm(NamedRequiredMixin, forms.Form):
    protocol = forms.CharField(
        label=_("Protocol"), max_length=20, widget=forms.TextInput(attrs=PROTOCOL_ATTRS)
    )
    person_type = forms.ChoiceField(
        label=_("Person type"), choices=[("PF", _("Individual (física)")), ("PJ", _("Company (jurídica)"))]
    )
    document = DocumentField()
    claim_code = forms.CharField(
        label=_("Claim code"),
        max_length=12,
        required=False,
        help_text=_(
            "Only for a request the customer filed: the code on the customer's protocol receipt and e-mail."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_protocol(self):
        protocol = only_digits(self.cleaned_data["protocol"])
        if len(protocol) != 13:
            raise ValidationError(_("The protocol has 13 digits."), code="protocol")
        return protocol

    def clean(self):
        data = super().clean()
        document, person_type = data.get("document"), data.get("person_type")
        if document and person_type and (len(document) == 11) != (person_type == "PF"):
            self.add_error("document", _("The document does not match the person type."))
        return data


class AprOrderForm(NamedRequiredMixin, forms.ModelForm):
    phone = PhoneField(label=_("Phone"))
    cep = CEPField()
    demand_kva = BRDecimalField(label=_("Demand (kVA)"), max_digits=9, decimal_places=2)

    class Meta:
        model = AprOrder
        fields = [
            "request_type",
            "phone",
            "project_type",
            "art_number",
            "demand_kva",
            "activity_type",
            "expected_connection",
            "plant_format",
            "street",
            "street_number",
            "district",
            "cep",
            "municipality",
            "reference_point",
            "uses_collective_roof",
            "has_power_converters",
            "pv_with_storage",
        ]
        field_classes = {"expected_connection": BRDateField}

    def __init__(self, *args, title=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The RT's professional title: an electrotechnical technician's demand has a cap (aprweb.rules).
        self.title = title
        # The installation's address and phone, not the RT's own: no autofill from the RT's profile.
        set_input_attrs(
            self, {name: {"autocomplete": "off"} for name in ("phone", "cep", "street", "district")}
        )

    def clean(self):
        data = super().clean()
        # The order rules (SPEC §5.2), each message next to its field; the service checks them again.
        for field, errors in rules.order_errors(data, title=self.title).items():
            self.add_error(field, errors)
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.checked = None

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.checked = check_upload(uploaded, allowed=allowed_types(self.kind))
        return uploaded


class OrderSearchForm(forms.Form):
    SORTS = [
        ("-submitted_at", _("Most recently sent")),
        ("submitted_at", _("Oldest sent")),
        ("due_at", _("Most urgent first (nearest deadline)")),
        ("protocol", _("Protocol")),
        ("customer_name", _("Customer name")),
    ]
    ns = forms.CharField(label=_("NS number"), required=False, max_length=10)
    sent_from = BRDateField(label=_("Sent from"), required=False)
    sent_to = BRDateField(label=_("Sent until"), required=False)
    protocol = forms.CharField(
        label=_("Protocol number"),
        required=False,
        max_length=13,
        widget=forms.TextInput(attrs=PROTOCOL_ATTRS),
    )
    situation = forms.ChoiceField(label=_("Situation"), required=False)
    regional = forms.CharField(label=_("Regional office"), required=False, max_length=60)
    request_type = forms.ChoiceField(label=_("Request type"), required=False)
    customer_name = forms.CharField(label=_("Customer name (beginning)"), required=False, max_length=100)
    customer_number = forms.CharField(label=_("Customer number"), required=False, max_length=10)
    installation_number = forms.CharField(label=_("Installation number"), required=False, max_length=10)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gdportal.cases.choices import CaseState

        from .models import OrderRequestType

        self.fields["situation"].choices = [("", _("Any"))] + list(CaseState.choices)
        self.fields["request_type"].choices = [("", _("Any"))] + list(OrderRequestType.choices)
        set_input_attrs(
            self, {name: NUMERIC_ATTRS for name in ("ns", "customer_number", "installation_number")}
        )

    def clean(self):
        data = super().clean()
        if data.get("sent_from") and data.get("sent_to") and data["sent_from"] > data["sent_to"]:
            self.add_error("sent_to", _("The end of the period is before its beginning."))
        return data
