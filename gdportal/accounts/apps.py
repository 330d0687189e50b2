from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gdportal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from gdportal.notifications.services import register_context_loader

        from .backends import forget_cached_user
        from .roles import sync_roles_after_migrate
        from .services import password_reset_context

        register_context_loader("password_reset_for", password_reset_context)

        # The user cached for requests (PortalBackend.get_user) is forgotten whenever its row changes.
        user = self.get_model("User")
        post_save.connect(forget_cached_user, sender=user, dispatch_uid="gdportal.accounts.forget_user_save")
        post_delete.connect(forget_cached_user, sender=user, dispatch_uid="gdportal.accounts.forget_user_del")
        # Apps migrated after the groups' data migration add permissions later; re-sync after every migrate so
        # a group's permissions are always exactly ROLE_PERMISSIONS.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="gdportal.accounts.sync_roles")
