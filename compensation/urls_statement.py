"""The titular's compensation pages at /compensacao/ (SPEC §12): the units and each one's statement."""

from django.urls import path

from . import views_statement

app_name = "statement"
urlpatterns = [
    path("", views_statement.units, name="units"),
    path("extrato/<str:number>/", views_statement.statement, name="detail"),
]
