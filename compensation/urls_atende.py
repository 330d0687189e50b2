"""Atende > Mini/Micro GD > Sistema de compensação, mounted at /atende/gd/compensacao/ (SPEC §12)."""

from django.urls import path

from . import views_allocation as views
from .units_from_request import confirm_units

app_name = "compensation_atende"
urlpatterns = [
    path("", views.home, name="home"),
    path("cadastros/<int:pk>/instrumento/", views.legal_instrument, name="legal_instrument"),
    path("pedido/<str:protocol>/unidades/", confirm_units, name="confirm_units"),
    path("<str:installation>/", views.register, name="register"),
]
