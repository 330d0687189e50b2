"""A per-token (or per-session user) limit, counted in the shared cache like the pages' limits."""

import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from gdportal import ratelimit

from .models import ApiToken


class PerTokenThrottle(BaseThrottle):
    scope = "api"

    def allow_request(self, request, view):
        limit, window = settings.GD_API_RATE_LIMIT, settings.GD_API_RATE_WINDOW_SECONDS
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            # Unauthenticated calls are refused anyway; counting them by address keeps guessing slow.
            ident = f"ip:{request.META.get('REMOTE_ADDR', '')}"
        self.window = window
        return not ratelimit.exceeded(self.scope, ident, limit=limit, window=window)

    def wait(self):
        # Fixed windows: the limit lifts when the current window ends.
        return max(1, int(self.window - time.time() % self.window))
