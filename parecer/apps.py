from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParecerConfig(AppConfig):
    """Stage 3 (SPEC §6): the parecer de acesso, its acceptance, the inspection, the connection.

    Builds on the case kernel like the other stages and imports none of them (its demo cases, which walk
    through every stage, are in demo/journeys.py)."""

    name = "parecer"
    verbose_name = _("Access opinion and inspection")

    def ready(self):
        from gdportal.cases.extensions import register_case_panel, register_service_option

        from . import deadline_kinds, documents  # noqa: F401 — registers the clocks and the document kinds
        from .panel import case_panel_context, case_panel_present

        # Atende > Mini/Micro GD (SPEC §6.3, §6.4), after atende's own options.
        register_service_option(_("Inspection"), "parecer:inspection_list", order=40)
        register_service_option(_("Cancellation of the access opinion"), "parecer:cancel_list", order=50)
        register_case_panel(
            "parecer/_case_panel.html", case_panel_context, order=30, present=case_panel_present
        )
