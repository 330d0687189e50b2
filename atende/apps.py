from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AtendeConfig(AppConfig):
    name = "atende"
    verbose_name = _("Cemig Atende — access requests")

    def ready(self):
        from gdportal import demo
        from gdportal.accounts import roles
        from gdportal.deadlines.board import register_queue

        from . import deadline_kinds  # noqa: F401 — registers stage 1's clocks
        from .demo import seed_cases

        demo.register_seeder(seed_cases)

        register_queue(
            roles.COMMERCIAL_ANALYST,
            _("Commercial analysis queue"),
            "admin:atende_commercialqueue_changelist",
        )
