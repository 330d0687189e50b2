from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "gdportal.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self):
        from gdportal.notifications.services import register_context_loader

        from .models import Deadline
        from .subjects import subject_of_type

        def load_deadline(pk):
            # Reminder e-mails: the clock, and its subject under the name its templates use (`case`).
            deadline = Deadline.objects.get(pk=pk)
            subject = subject_of_type(deadline.subject_type_id)
            if subject is None:
                return {"deadline": deadline}
            obj = subject.objects().get(pk=deadline.subject_id)
            deadline.subject = obj
            context = {"deadline": deadline, subject.context_name: obj}
            if deadline.spec.recipients is not None:
                context["_to"] = deadline.spec.recipients(obj)
            return context

        register_context_loader("deadline_id", load_deadline)
