from django.urls import path

from atende import views as atende_views

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/deep", views.healthz_deep, name="healthz_deep"),
    path("robots.txt", views.robots, name="robots"),
    path("acompanhamento/", atende_views.public_lookup, name="public_lookup"),
]
