"""Stage 3's endpoints, included under /api/v1/ (gdportal/urls.py): a case's parecer and inspection."""

from django.urls import path

from . import api

# `<str:id>`, not `<int:id>`: an id that is not a number reaches the view and gets the API's problem+json 404
# (the case lookup turns it into one), not the site's HTML page.

urlpatterns = [
    path("cases/<str:id>/parecer/", api.ParecerView.as_view(), name="api-parecer"),
    path("cases/<str:id>/parecer/pdf/", api.ParecerPdfView.as_view(), name="api-parecer-pdf"),
    path("cases/<str:id>/parecer/accept/", api.ParecerAcceptView.as_view(), name="api-parecer-accept"),
    path(
        "cases/<str:id>/inspection-request/",
        api.InspectionRequestView.as_view(),
        name="api-inspection-request",
    ),
    path("cases/<str:id>/inspection/", api.InspectionView.as_view(), name="api-inspection"),
]
