"""Atende > Mini/Micro GD > Sistema de compensação, mounted at /atende/gd/compensacao/ (SPEC §12)."""

from django.urls import path

from . import views_allocation as views

app_name = "compensation_atende"
urlpatterns = [
    path("", views.home, name="home"),
    path("cadastros/<int:pk>/instrumento/", views.legal_instrument, name="legal_instrument"),
    path("<str:installation>/", views.register, name="register"),
]
