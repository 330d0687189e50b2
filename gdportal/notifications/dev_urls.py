from django.urls import path

from . import dev_views

app_name = "dev"
urlpatterns = [
    path("emails/", dev_views.mailbox, name="mailbox"),
    path("emails/<str:name>/", dev_views.message, name="message"),
]
