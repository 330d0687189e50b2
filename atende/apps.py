from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AtendeConfig(AppConfig):
    name = "atende"
    verbose_name = _("Cemig Atende — access requests")
