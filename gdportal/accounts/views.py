from django.contrib.auth import views as auth_views

from .forms import AtendeLoginForm, OutboxPasswordResetForm


class AtendeLoginView(auth_views.LoginView):
    form_class = AtendeLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PortalPasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    template_name = "accounts/password_reset_form.html"
