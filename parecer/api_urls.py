"""Stage 3's endpoints, included under /api/v1/ (gdportal/urls.py): a case's parecer and inspection."""

from django.urls import path

from . import api

urlpatterns = [
    path("cases/<int:id>/parecer/", api.ParecerView.as_view(), name="api-parecer"),
    path("cases/<int:id>/parecer/pdf/", api.ParecerPdfView.as_view(), name="api-parecer-pdf"),
    path("cases/<int:id>/parecer/accept/", api.ParecerAcceptView.as_view(), name="api-parecer-accept"),
    path(
        "cases/<int:id>/inspection-request/",
        api.InspectionRequestView.as_view(),
        name="api-inspection-request",
    ),
    path("cases/<int:id>/inspection/", api.InspectionView.as_view(), name="api-inspection"),
]
