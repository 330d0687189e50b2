"""Placeholder: the public verification pages (/verificar/, SPEC §6.1) are written on another branch.

Until they land, the URL names exist (the case page links to 'verify:code') and both pages are a 404.
"""

from django.http import Http404


def lookup(request):
    raise Http404


def show(request, code):
    raise Http404
