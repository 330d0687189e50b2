from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParecerConfig(AppConfig):
    """Stage 3 (SPEC §6): the parecer de acesso, its acceptance, the inspection, the connection.

    Builds on the case kernel like the other stages and imports none of them (only its demo, demo.py, walks a
    case through their services, from inside its functions)."""

    name = "parecer"
    verbose_name = _("Access opinion and inspection")

    def ready(self):
        from gdportal.demo import register_demo_seeder

        from . import deadline_kinds, documents  # noqa: F401 — registers the clocks and the document kinds
        from .demo import seed_cases

        register_demo_seeder(seed_cases)
