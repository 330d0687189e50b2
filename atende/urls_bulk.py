"""Bulk filing, mounted at /apr/lote/ (gdportal/urls.py): an RT's page, beside APR Web's."""

from django.urls import path

from . import views_bulk

app_name = "bulk"
urlpatterns = [
    path("", views_bulk.upload, name="upload"),
    path("modelo.csv", views_bulk.template, name="template"),
]
