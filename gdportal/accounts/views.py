from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from gdportal import ratelimit
from gdportal.clientip import client_ip

from .forms import AtendeLoginForm, PublicPasswordResetForm
from .identifiers import identifier_key

RESET_WINDOW = 60 * 60


class AtendeLoginView(auth_views.LoginView):
    form_class = AtendeLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PortalPasswordResetView(auth_views.PasswordResetView):
    """Same answer for any e-mail; throttled per client address (told) and per e-mail (silently)."""

    form_class = PublicPasswordResetForm
    template_name = "accounts/password_reset_form.html"

    def form_valid(self, form):
        limit = settings.GD_PASSWORD_RESET_PER_ADDRESS
        if ratelimit.exceeded(
            "password-reset-address", client_ip(self.request), limit=limit, window=RESET_WINDOW
        ):
            form.add_error(
                None, _("Too many password reset requests from your connection. Try again in an hour.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # Over the per-e-mail limit nothing is sent, but the answer stays the same: telling would say that
        # someone else is asking for this e-mail, and a mailbox cannot be flooded with links.
        key = identifier_key(form.cleaned_data["email"])
        limit = settings.GD_PASSWORD_RESET_PER_EMAIL
        if not ratelimit.exceeded("password-reset-email", key, limit=limit, window=RESET_WINDOW):
            form.save()
        return HttpResponseRedirect(self.get_success_url())


class PortalPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The new password also ends the lockout of the account's e-mail: who holds the link owns the mailbox."""

    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        # Failed sign-ins count under the e-mail's key (accounts.identifiers.axes_username).
        axes_reset(username=self.user.email_key)
        return response
