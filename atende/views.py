from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .services_catalog import search


@require_GET
def service_search(request):
    query = request.GET.get("q", "").strip()
    results = search(query)
    return render(
        request,
        "atende/search.html",
        {
            "query": query,
            "results": results,
            "any_match": any(hit for _, hit in results),
        },
    )


@login_required
@require_GET
def gd_service(request):
    return render(request, "atende/gd.html")
