from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from gdportal.brdocs import only_digits
from gdportal.notifications.services import email_queue

from .backends import APR, ATENDE


class RealmAuthenticationForm(AuthenticationForm):
    realm = None

    def normalize_identifier(self, value):
        return value.strip()

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


class AtendeLoginForm(RealmAuthenticationForm):
    realm = ATENDE
    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("E-mail or password incorrect. Check both and try again."),
    }

    def normalize_identifier(self, value):
        return value.strip().lower()


class AprLoginForm(RealmAuthenticationForm):
    realm = APR
    username = forms.CharField(
        label=_("CPF"),
        max_length=14,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "username"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("CPF or APR Web password incorrect. Check both and try again."),
    }

    def normalize_identifier(self, value):
        return only_digits(value)


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset through the outbox, like every other e-mail the portal sends."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        email_queue(
            to=[to_email],
            template="password_reset",
            context=context,
            related_object=f"user:{context['user'].pk}",
        )
