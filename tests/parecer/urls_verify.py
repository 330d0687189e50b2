"""The project's URLs, plus a stand-in for the public verification page (/verificar/<code>/) while that page
is not mounted: a parecer's PDF prints its address, so issuing one needs `verify:code` to reverse. Once the
project mounts the real page, this adds nothing."""

from django.http import HttpResponseNotFound
from django.urls import include, path

from gdportal.urls import urlpatterns as project_urlpatterns


def _stand_in(request, code):
    return HttpResponseNotFound()


urlpatterns = list(project_urlpatterns)
if not any(getattr(pattern, "namespace", None) == "verify" for pattern in project_urlpatterns):
    urlpatterns.append(path("verificar/", include(([path("<str:code>/", _stand_in, name="code")], "verify"))))
