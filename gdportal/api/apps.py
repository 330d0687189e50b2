from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The integrators' REST API (SPEC §14): tokens, errors, idempotency, paging and the case endpoints.

    The stages add their own endpoints (each stage's api.py) under /api/v1/; this app holds what they share.
    """

    name = "gdportal.api"
    label = "api"
    verbose_name = _("Integrators' API")

    def ready(self):
        from gdportal.accounts.roles import REGISTRATION_ANALYST, extend_role

        from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)

        # Whoever grants RTs their access also takes a leaked or abandoned token away (the admin's "revoke").
        extend_role(REGISTRATION_ANALYST, ["api.view_apitoken", "api.change_apitoken"])
