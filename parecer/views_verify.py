"""Public check of a parecer's verification code (SPEC §6): placeholders until the lead's views land, so the
e-mails' `{% url 'verify:code' %}` links reverse."""

from django.http import Http404


def lookup(request):
    raise Http404


def show(request, code):
    raise Http404
