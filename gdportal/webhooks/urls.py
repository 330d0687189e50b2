"""An integrator's webhooks at /conta/webhooks/ (SPEC §14)."""

from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("novo/", views.endpoint_new, name="new"),
    path("<int:pk>/criado/", views.endpoint_created, name="created"),
    path("<int:pk>/", views.endpoint_deliveries, name="deliveries"),
    path("<int:pk>/testar/", views.endpoint_test, name="test"),
    path("<int:pk>/retomar/", views.endpoint_resume, name="resume"),
    path("<int:pk>/ativar/", views.endpoint_activate, name="activate"),
    path("<int:pk>/excluir/", views.endpoint_delete, name="delete"),
]
