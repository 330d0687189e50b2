from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AprwebConfig(AppConfig):
    name = "aprweb"
    verbose_name = _("APR Web — technical analysis")

    def ready(self):
        from gdportal.notifications.services import register_context_loader

        from . import board, checks, deadline_kinds, documents, receivers  # noqa: F401 — registers kinds and the state mirror
        from .password import CONTEXT_KEY, apr_password_reset_context

        register_context_loader(CONTEXT_KEY, apr_password_reset_context)
        checks.register()  # the document checks of stage 2's kinds (SPEC §14)

        from gdportal.generation.sheet import register_rt_credentials

        from .selectors import rt_credentials

        register_rt_credentials(rt_credentials)  # the RT's council on the generated request form (SPEC §16)
