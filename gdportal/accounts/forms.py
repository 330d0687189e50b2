from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from gdportal.brdocs import validate_cpf
from gdportal.formfields import CPF_ATTRS, NamedRequiredMixin

from . import services
from .backends import APR, ATENDE
from .identifiers import AXES_USERNAME_MAX, cpf_key, identifier_key

EMAIL_TOO_LONG = _("An e-mail address has at most %(limit_value)d characters.")
USERNAME_TOO_LONG = _("A user name has at most %(limit_value)d characters.")


def check_identifier_length(key, limit, message):
    """Refuse an identifier whose key does not fit where it is stored (the account, axes' lockout table).

    The key is measured, not the typed text: NFKC and casefold can lengthen a string ("ß" -> "ss").
    """
    if len(key) > limit:
        raise ValidationError(message, code="max_length", params={"limit_value": limit})


class RealmAuthenticationForm(NamedRequiredMixin, AuthenticationForm):
    realm = None
    identifier_max_length = AXES_USERNAME_MAX
    too_long_message = USERNAME_TOO_LONG

    def normalize_identifier(self, value):
        return identifier_key(value)

    def clean_username(self):
        value = self.cleaned_data["username"]
        check_identifier_length(
            self.normalize_identifier(value), self.identifier_max_length, self.too_long_message
        )
        return value

    def clean(self):
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if identifier is not None and password:
            # Axes reads the identifier from here to count failures, so pass it normalised: "529.982..." and
            # "529982..." are the same person.
            self.user_cache = authenticate(
                self.request,
                username=self.normalize_identifier(identifier),
                password=password,
                realm=self.realm,
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


EMAIL_MAX_LENGTH = 254  # RFC 5321's limit on a forward path, and User.email_key's column


class AtendeLoginForm(RealmAuthenticationForm):
    realm = ATENDE
    identifier_max_length = EMAIL_MAX_LENGTH
    too_long_message = EMAIL_TOO_LONG
    username = forms.EmailField(
        label=_("E-mail"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages={"max_length": EMAIL_TOO_LONG},
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("E-mail or password incorrect. Check both and try again."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets the username column's length (150) on the input; an e-mail may be longer.
        self.fields["username"].widget.attrs["maxlength"] = EMAIL_MAX_LENGTH


CPF_NOT_EMAIL = _("Use the CPF (11 digits), not the e-mail.")
CPF_MAX_LENGTH = 14  # "529.982.247-25"


def check_cpf_typed(value):
    """APR Web signs in by CPF; an RT who types the e-mail (Atende's identifier) is told so, not that the text
    is too long. The length is checked here, after that hint, rather than by the field's max_length."""
    if "@" in value:
        raise ValidationError(CPF_NOT_EMAIL, code="email")
    MaxLengthValidator(CPF_MAX_LENGTH)(value)


def cpf_widget(**attrs):
    return forms.TextInput(attrs={**CPF_ATTRS, "autocomplete": "username", **attrs})


class AprLoginForm(RealmAuthenticationForm):
    realm = APR
    username = forms.CharField(label=_("CPF"), widget=cpf_widget(autofocus=True))
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("CPF or APR Web password incorrect. Check both and try again."),
    }

    def normalize_identifier(self, value):
        return cpf_key(value)

    def clean_username(self):
        check_cpf_typed(self.cleaned_data["username"])
        return super().clean_username()


class AprPasswordResetForm(NamedRequiredMixin, forms.Form):
    """'Esqueci minha senha' of APR Web: the RT's CPF; the link goes to the e-mail of the RT's account."""

    cpf = forms.CharField(label=_("CPF"), widget=cpf_widget(autofocus=True))

    def clean_cpf(self):
        value = self.cleaned_data["cpf"]
        check_cpf_typed(value)
        # A malformed CPF says nothing about who has an account: it cannot be anyone's.
        return validate_cpf(cpf_key(value))


class PublicPasswordResetForm(NamedRequiredMixin, PasswordResetForm):
    """The public reset form: queues one job whatever the e-mail (see services.password_reset_request)."""

    email = forms.EmailField(
        label=_("E-mail"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages={"max_length": EMAIL_TOO_LONG},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        check_identifier_length(identifier_key(email), EMAIL_MAX_LENGTH, EMAIL_TOO_LONG)
        return email

    def save(self, **kwargs):
        services.password_reset_request(email=self.cleaned_data["email"])
