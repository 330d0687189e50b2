"""Atende's public page, mounted by the project at /acompanhamento/ (no sign-in)."""

from django.urls import path

from . import views

app_name = "tracking"
urlpatterns = [path("", views.public_lookup, name="public_lookup")]
