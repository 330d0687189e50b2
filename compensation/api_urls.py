"""Stage 4's endpoints, included under /api/v1/ (gdportal/urls.py): receiving units and statements."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import api

# Any segment reaches the views, which answer a number that is not a 10-digit installation of the user with
# the API's problem+json 404 (a narrower pattern would leave it to the site's HTML page).
router = SimpleRouter()
router.register("receiving-units", api.ReceivingUnitViewSet, basename="api-receiving-unit")

urlpatterns = [
    *router.urls,
    re_path(r"^statements/(?P<installation>[^/]+)/$", api.StatementView.as_view(), name="api-statement"),
    re_path(
        r"^statements/(?P<installation>[^/]+)/pdf/$",
        api.StatementPdfView.as_view(),
        name="api-statement-pdf",
    ),
]
