from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AtendeConfig(AppConfig):
    name = "atende"
    verbose_name = _("Cemig Atende — access requests")

    def ready(self):
        from gdportal.accounts import roles
        from gdportal.cases.extensions import register_case_panel, register_service_option
        from gdportal.cases.flow import flow_panel, flow_panel_present
        from gdportal.deadlines.board import register_queue
        from gdportal.demo import register_demo_seeder

        from . import deadline_kinds  # noqa: F401 — registers stage 1's clocks
        from .demo import seed_cases

        register_demo_seeder(seed_cases)
        # The Mini/Micro GD page's first options (SPEC §4.1); later stages add theirs after these.
        # The flow-inversion studies and the request button (SPEC §15), after the stages' panels.
        register_case_panel("atende/_flow_studies.html", flow_panel, order=60, present=flow_panel_present)
        register_service_option(_("Request access"), "atende:lookup", order=10)
        register_service_option(_("Access consultation"), "atende:consultation_lookup", order=20)
        register_service_option(_("Service status"), "atende:status", order=30)
        register_queue(
            roles.COMMERCIAL_ANALYST,
            _("Commercial analysis queue"),
            "admin:atende_commercialqueue_changelist",
        )
