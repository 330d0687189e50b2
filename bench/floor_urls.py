"""Benchmark-only URLs (bench/floor_settings.py): the portal's, plus the framework floor of SPEC §11.

`/_bench/floor/` is a bare Django view behind the same middleware (session, auth, CSRF, OTP, CSP, metrics…) as
every page: it loads the signed-in user and answers a few bytes, without a template or a query of its own. A
page's requests per second divided by this view's is the share of the framework floor it reaches."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def floor_view(request):
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [path("_bench/floor/", floor_view), path("", include("gdportal.urls"))]

handler404 = "gdportal.api.problems.page_not_found"
handler500 = "gdportal.api.problems.server_error"
