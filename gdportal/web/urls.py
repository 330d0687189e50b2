from django.urls import path

from . import captcha, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/deep", views.healthz_deep, name="healthz_deep"),
    path("readyz", views.readyz, name="readyz"),
    path("robots.txt", views.robots, name="robots"),
    path("captcha/ouvir/<str:key>.wav", captcha.captcha_audio, name="captcha_audio"),
]
