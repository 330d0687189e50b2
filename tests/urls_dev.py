"""The project's URLs with the DEBUG-only routes mounted, for tests that exercise them."""

from django.urls import include, path

from gdportal.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("dev/", include("gdportal.notifications.dev_urls"))]
