from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from gdportal.accounts.forms import AprLoginForm

APR_SESSION_FLAG = "apr_realm"


class AprLoginView(auth_views.LoginView):
    """APR Web sign-in by CPF with the APR password (the seed keeps it apart from Atende's)."""

    form_class = AprLoginForm
    template_name = "aprweb/login.html"
    next_page = reverse_lazy("aprweb:home")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.session.get(APR_SESSION_FLAG):
            return redirect("aprweb:home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        # Signing in to Atende with the e-mail does not open APR Web: only this login sets the flag.
        self.request.session[APR_SESSION_FLAG] = True
        return response


def apr_login_required(view):
    @login_required(login_url="aprweb:login")
    def wrapper(request, *args, **kwargs):
        if not (request.session.get(APR_SESSION_FLAG) and request.user.is_rt):
            return redirect(f"{reverse_lazy('aprweb:login')}?next={request.path}")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@apr_login_required
@require_GET
def home(request):
    return render(request, "aprweb/home.html")
