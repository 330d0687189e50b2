from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """The case kernel: the case, its states and transitions, events, documents, numbers and visibility.

    Every stage builds on it (Atende, APR Web, and the parecer, inspection and compensation to come); it
    imports no stage.
    """

    name = "gdportal.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self):
        import gdportal.lookups  # noqa: F401 — `__in_array`, the sweep's set-based statements
        from gdportal.notifications.services import register_context_loader

        # The case as a clock subject, the clocks that cross stages, the document checks of every kind.
        from . import board, checks, deadline_kinds  # noqa: F401
        from .extensions import register_case_panel
        from .models import Case
        from .reasons_services import case_panel_context, case_panel_present

        # The reasons of every pendência and refusal (SPEC §15), right below the case's clocks.
        register_case_panel(
            "cases/_reasons_panel.html", case_panel_context, order=5, present=case_panel_present
        )

        post_migrate.connect(ship_reasons_after_migrate, sender=self, dispatch_uid="gdportal.cases.reasons")

        register_context_loader(
            "case_id", lambda pk: {"case": Case.objects.select_related("customer", "rt").get(pk=pk)}
        )


def ship_reasons_after_migrate(sender, using="default", **kwargs):
    """The shipped reasons after every migrate or flush (gdportal/cases/reasons_shipped.py)."""
    from django.db import connections

    from .reasons import DecisionReason
    from .reasons_shipped import ship_catalogue

    # `migrate cases 0005` (a test going back to an earlier release) ends without the catalogue's table.
    if DecisionReason._meta.db_table in connections[using].introspection.table_names():
        ship_catalogue(DecisionReason, using=using)
