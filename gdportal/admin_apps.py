from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's site (optional staff MFA). Kept apart from admin_site.py, which
    imports auth forms and so cannot be loaded while the app registry is still being populated."""

    default_site = "gdportal.admin_site.PortalAdminSite"
