"""Stage 1 under /api/v1/ (included by gdportal/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from gdportal.middleware import accepts_uploads

from . import api, api_lookup

router = SimpleRouter()
router.register("access-requests", api.AccessRequestViewSet, basename="api-access-request")
router.register("consultations", api.ConsultationViewSet, basename="api-consultation")
urlpatterns = [
    path("installations/", api_lookup.InstallationLookupView.as_view(), name="api-installations"),
    *router.urls,
]

# The upload guard lets multipart bodies reach marked views only; the router makes one view per route, so only
# the documents route is marked (one file each).
for pattern in urlpatterns:
    if pattern.name == "api-access-request-documents":
        accepts_uploads(pattern.callback, files=1)
