from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    name = "compensation"
    verbose_name = _("Compensation system")

    def ready(self):
        from gdportal.accounts.roles import COMMERCIAL_ANALYST, extend_role
        from gdportal.cases.extensions import register_case_panel, register_service_option
        from gdportal.cases.plants import register_plant_provider

        from . import (
            plants,
            services,  # noqa: F401 — registers the legal instrument's file kind
            signals,  # noqa: F401 — a case reaching `connected` becomes a generator
            units_from_request,
        )

        register_plant_provider(plants.current_plant)
        # The units filed with the request's data step, for the titular to confirm (SPEC §16).
        register_case_panel(
            "compensation/_units_panel.html",
            units_from_request.units_panel_context,
            order=40,
            present=units_from_request.units_panel_present,
        )
        # Atende > Mini/Micro GD (SPEC §7.1), after Vistoria and Cancelamento.
        register_service_option(_("Compensation system"), "compensation_atende:home", order=60)
        # SPEC §1: receiving-unit registrations and tariffs belong to the commercial group.
        extend_role(
            COMMERCIAL_ANALYST,
            [
                "compensation.view_allocationset",
                "compensation.review_allocation",
                "compensation.view_generator",
                "compensation.view_tariff",
                "compensation.add_tariff",
                "compensation.change_tariff",
            ],
        )
