from django.urls import path

from . import views

app_name = "transparency"
urlpatterns = [
    path("", views.index, name="index"),
    path("dados.csv", views.data_csv, name="csv"),
    path("descumprimentos.csv", views.breaches_csv, name="breaches_csv"),
    path("motivos.csv", views.reasons_csv, name="reasons_csv"),
]
