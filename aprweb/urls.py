from django.urls import path

from . import views

app_name = "aprweb"
urlpatterns = [
    path("", views.AprLoginView.as_view(), name="login"),
    path("inicio/", views.home, name="home"),
]
