from django.contrib.auth.tokens import PasswordResetTokenGenerator


class AprPasswordTokenGenerator(PasswordResetTokenGenerator):
    """One-time link to set the APR Web password. It hashes the current APR password, so using it once (or any
    later change) invalidates it; it expires after PASSWORD_RESET_TIMEOUT (Django's default: 3 days)."""

    key_salt = "gdportal.aprweb.tokens.AprPasswordTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.apr_password}{timestamp}{user.is_active}"


apr_password_token = AprPasswordTokenGenerator()
