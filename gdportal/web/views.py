from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    return render(request, "web/home.html")


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 otherwise (load balancers and compose health checks)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /admin/\nDisallow: /apr/\n", content_type="text/plain")
