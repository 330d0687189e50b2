from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Webhooks for integrators (SPEC §14): every transition of a user's cases POSTed, signed, to their URL.

    A kernel app: it listens to the case kernel's signals and imports no stage.
    """

    name = "gdportal.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from . import receivers  # noqa: F401 — the fan-out on gdportal.cases.signals
