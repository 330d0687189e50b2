from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


@require_GET
def home(request):
    return render(request, "web/home.html")


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 otherwise (load balancers and compose health checks)."""
    if health.database_status() != health.OK:
        return JsonResponse({"status": "error", "database": health.DOWN}, status=503)
    return JsonResponse({"status": "ok", "database": health.OK})


def _report(components):
    healthy = all(state == health.OK for state in components.values())
    body = {"status": "ok" if healthy else "degraded", **components}
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def healthz_deep(request):
    """Each component's state for operators and monitoring; 503 when any of them is down."""
    return _report(health.components("database", "cache", "broker", "storage"))


@never_cache
@require_GET
def readyz(request):
    """Ready for traffic (a node joining the pool, a rollout): 200 when the database, the cache (Redis) and
    the files' storage answer, 503 otherwise. Load balancers keep using /healthz (database only)."""
    return _report(health.components("database", "cache", "storage"))


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /admin/\nDisallow: /apr/\n", content_type="text/plain")
