"""The analysts' admin site with optional staff MFA (SPEC §10).

A staff user with a confirmed OTP device (TOTP, enrolled in the admin under "TOTP devices") must type a token
to sign in, and a session that was not verified by one does not open the admin. GD_STAFF_MFA_REQUIRED=true
makes a device mandatory for every staff user.
"""

from django.conf import settings
from django.contrib import admin
from django.utils.functional import SimpleLazyObject
from django_otp import user_has_device
from django_otp.admin import OTPAdminAuthenticationForm

from gdportal.accounts.forms import USERNAME_TOO_LONG, check_identifier_length
from gdportal.accounts.identifiers import identifier_key


class StaffLoginForm(OTPAdminAuthenticationForm):
    def clean_username(self):
        # AuthenticationForm only sets max_length on the input; without this check a longer name reaches
        # axes' 255-character column (a 500 on PostgreSQL).
        username = self.cleaned_data["username"]
        check_identifier_length(identifier_key(username), self.username_field.max_length, USERNAME_TOO_LONG)
        return username

    def clean(self):
        # AdminAuthenticationForm's checks (password, is_staff), then the token only where it applies.
        self.cleaned_data = super(OTPAdminAuthenticationForm, self).clean()
        user = self.get_user()
        if user is not None and (user_has_device(user) or settings.GD_STAFF_MFA_REQUIRED):
            self.clean_otp(user)
        return self.cleaned_data


class PortalAdminSite(admin.AdminSite):
    login_form = StaffLoginForm
    login_template = "otp/admin111/login.html"

    def has_permission(self, request):
        user = request.user
        if not super().has_permission(request):
            return False
        if user.is_verified():
            return True
        # The admin asks this several times per page; looking the devices up each time cost every change list
        # 6 queries (issue 17). Once per request is enough.
        if not hasattr(request, "_gd_needs_token"):
            request._gd_needs_token = settings.GD_STAFF_MFA_REQUIRED or user_has_device(user)
        return not request._gd_needs_token

    def get_app_list(self, request, app_label=None):
        if app_label is None and getattr(request, "gd_cached_nav_sidebar", False):
            # The sidebar of a lean change list comes from a cache (templatetags/lean_admin_list.py): the apps
            # and models (a permission check and a reverse() for each) are listed only when it has no copy.
            return SimpleLazyObject(lambda: super(PortalAdminSite, self).get_app_list(request))
        return super().get_app_list(request, app_label)
