from django.urls import path

from . import views

app_name = "atende"
urlpatterns = [
    path("", views.service_search, name="search"),
    path("gd/", views.gd_service, name="gd"),
]
