from django.urls import path

from . import views_verify

app_name = "verify"
urlpatterns = [
    path("", views_verify.lookup, name="lookup"),
    path("<str:code>/", views_verify.show, name="code"),
]
