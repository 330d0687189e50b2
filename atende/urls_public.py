"""Atende's one page outside /atende/: the public status lookup at /acompanhamento/ (SPEC §4.4).

Mounted by the project's URLconf, so the landing app (gdportal.web) needs no import of a stage.
"""

from django.urls import path

from . import views

urlpatterns = [path("", views.public_lookup, name="public_lookup")]
