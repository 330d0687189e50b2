from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AtendeConfig(AppConfig):
    name = "atende"
    verbose_name = _("Cemig Atende — access requests")

    def ready(self):
        from gdportal.accounts import roles
        from gdportal.deadlines.board import register_queue
        from gdportal.notifications.services import register_context_loader

        from . import deadline_kinds  # noqa: F401 — registers stage 1's clocks

        # Declared here, next to the check in models.AccessRequestQuerySet.for_user: the analysts see every
        # case; the inspector, who has the same view permissions, only the cases in inspection.
        from .models import VIEW_ALL_CASES

        for role in (roles.COMMERCIAL_ANALYST, roles.TECHNICAL_ANALYST):
            roles.extend_role(role, [VIEW_ALL_CASES])
        register_queue(
            roles.COMMERCIAL_ANALYST,
            _("Commercial analysis queue"),
            "admin:atende_commercialqueue_changelist",
        )
        from .models import AccessRequest

        register_context_loader(
            "case_id", lambda pk: {"case": AccessRequest.objects.select_related("customer", "rt").get(pk=pk)}
        )
