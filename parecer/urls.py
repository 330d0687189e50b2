"""Stage 3's Atende pages, mounted at /atende/gd/ (SPEC §12): Vistoria, Cancelamento do parecer, Aceitar."""

from django.urls import path

from . import views

app_name = "parecer"
urlpatterns = [
    path("vistoria/", views.inspection_list, name="inspection_list"),
    path("vistoria/<str:protocol>/", views.inspection_form, name="inspection_form"),
    path("cancelamento-parecer/", views.cancel_list, name="cancel_list"),
    path("cancelamento-parecer/<str:protocol>/", views.cancel_confirm, name="cancel"),
    path("parecer/<str:protocol>/aceitar/", views.accept, name="accept"),
]
