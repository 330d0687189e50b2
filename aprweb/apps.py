from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AprwebConfig(AppConfig):
    name = "aprweb"
    verbose_name = _("APR Web — technical analysis")

    def ready(self):
        from . import board, deadline_kinds, documents, receivers  # noqa: F401 — registers kinds and the state mirror
