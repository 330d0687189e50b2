"""Who is calling: a personal token (`Authorization: Bearer gdp_…`) or the browser's session (with CSRF)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import TOKEN_PREFIX, ApiToken, token_digest

# last_used_at is a courtesy for the owner ("used 2 minutes ago"), not an audit: one write a minute at most,
# not one per request.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def may_hold_token(user):
    """Customers and RTs file; staff act in the admin and hold no API token."""
    return user.is_active and not user.is_staff and (user.is_rt or bool(user.customer_id))


class TokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header: use “Bearer <token>”."))
        raw = header[1].decode(errors="replace")
        if not raw.startswith(TOKEN_PREFIX):
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        token = (
            ApiToken.objects.live()
            .select_related("user", "user__customer")
            .filter(digest=token_digest(raw))
            .first()
        )
        if token is None or not may_hold_token(token.user):
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        # Makes an unauthenticated call a 401 (with this challenge), not a 403.
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, for the same endpoints; DRF's own class, which enforces CSRF on writes."""
