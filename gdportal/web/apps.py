from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gdportal.web"
    label = "web"
