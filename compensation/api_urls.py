"""Stage 4's endpoints, included under /api/v1/ (gdportal/urls.py): receiving units and statements."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("receiving-units", api.ReceivingUnitViewSet, basename="api-receiving-unit")

urlpatterns = [
    *router.urls,
    re_path(r"^statements/(?P<installation>[0-9]{10})/$", api.StatementView.as_view(), name="api-statement"),
    re_path(
        r"^statements/(?P<installation>[0-9]{10})/pdf/$",
        api.StatementPdfView.as_view(),
        name="api-statement-pdf",
    ),
]
