from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AtendeConfig(AppConfig):
    name = "atende"
    verbose_name = _("Cemig Atende — access requests")

    def ready(self):
        from . import deadline_kinds  # noqa: F401 — registers stage 1's clocks
