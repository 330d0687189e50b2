from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GenerationConfig(AppConfig):
    """The plant as data (SPEC §16): equipment, storage, building, entrance, participating units and the
    declarations. A kernel app because the APR order (filled), the parecer (declarations 8.1/8.3) and the
    compensation (units → allocation) all read it, and stages never import each other."""

    name = "gdportal.generation"
    label = "generation"
    verbose_name = _("Generation data")

    def ready(self):
        from . import documents  # noqa: F401 — registers the generated documents' kinds
