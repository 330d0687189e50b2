from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class AprPasswordTokenGenerator(PasswordResetTokenGenerator):
    """One-time link to set the APR Web password. It hashes the current APR password, so using it once (or any
    later change) invalidates it; it expires after PASSWORD_RESET_TIMEOUT (Django's default: 3 days)."""

    key_salt = "gdportal.aprweb.tokens.AprPasswordTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.apr_password}{timestamp}{user.is_active}"


apr_password_token = AprPasswordTokenGenerator()


def apr_password_path(user):
    """The path of the page that sets `user`'s APR Web password (aprweb:set_password), with a fresh token."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("aprweb:set_password", args=[uid, apr_password_token.make_token(user)])
