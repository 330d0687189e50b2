from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "gdportal.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self):
        from gdportal.notifications.services import register_context_loader

        from .models import Deadline

        def load_deadline(pk):
            deadline = Deadline.objects.select_related("case", "case__customer", "case__rt").get(pk=pk)
            return {"deadline": deadline, "case": deadline.case}

        register_context_loader("deadline_id", load_deadline)
