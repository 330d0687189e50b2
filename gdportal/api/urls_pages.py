from django.urls import path

from . import views_pages

app_name = "api_access"
urlpatterns = [
    path("", views_pages.tokens, name="tokens"),
    path("<int:pk>/revogar/", views_pages.revoke, name="revoke"),
]
