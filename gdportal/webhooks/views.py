"""The webhooks pages (/conta/webhooks/): a customer's or an RT's endpoints, each one's delivery log.

Only customers and RTs have endpoints (staff get a 403, anonymous users the sign-in page); every page works on
`services.endpoints_for(request.user)`, so someone else's endpoint is a 404.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .forms import EndpointForm
from .models import WebhookDelivery

LOG_SIZE = 50


def _secret_key(pk):
    return f"webhooks.secret.{pk}"


def owner_required(view):
    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not services.may_own_endpoints(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _endpoint(request, pk):
    return get_object_or_404(services.endpoints_for(request.user), pk=pk)


@owner_required
@require_GET
def endpoints(request):
    mine = services.endpoints_for(request.user).order_by("created_at", "id")
    return render(
        request,
        "webhooks/endpoints.html",
        {"endpoints": mine, "can_add": len(mine) < services.MAX_ENDPOINTS, "pause_hours": 24},
    )


@owner_required
@require_http_methods(["GET", "POST"])
def endpoint_new(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(
                owner=request.user, url=form.cleaned_data["url"], description=form.cleaned_data["description"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)  # a dict names its field
        else:
            # Kept in the session for the next page only, which takes it out: a reload no longer shows it.
            request.session[_secret_key(endpoint.pk)] = secret
            return redirect("webhooks:created", endpoint.pk)
    return render(request, "webhooks/endpoint_new.html", {"form": form})


@never_cache
@owner_required
@require_GET
def endpoint_created(request, pk):
    endpoint = _endpoint(request, pk)
    secret = request.session.pop(_secret_key(endpoint.pk), None)
    if secret is None:
        messages.info(
            request, _("The secret was shown once, when the endpoint was created; it is not shown again.")
        )
        return redirect("webhooks:deliveries", endpoint.pk)
    return render(request, "webhooks/endpoint_created.html", {"endpoint": endpoint, "secret": secret})


@owner_required
@require_GET
def endpoint_deliveries(request, pk):
    endpoint = _endpoint(request, pk)
    log = list(endpoint.deliveries.order_by("-id")[:LOG_SIZE])
    pending = endpoint.deliveries.exclude(status=WebhookDelivery.Status.DELIVERED).count()
    return render(
        request,
        "webhooks/endpoint_deliveries.html",
        {"endpoint": endpoint, "log": log, "log_size": LOG_SIZE, "pending": pending},
    )


@owner_required
@require_POST
def endpoint_test(request, pk):
    endpoint = _endpoint(request, pk)
    services.endpoint_send_test(endpoint=endpoint, by=request.user)
    if endpoint.sends:
        messages.success(request, _("A test event was queued; its delivery appears in the log below."))
    else:
        messages.warning(
            request, _("A test event was queued; it is sent once the endpoint is active and resumed.")
        )
    return redirect("webhooks:deliveries", endpoint.pk)


@owner_required
@require_POST
def endpoint_resume(request, pk):
    endpoint = _endpoint(request, pk)
    services.endpoint_resume(endpoint=endpoint, by=request.user)
    messages.success(request, _("The endpoint was resumed: its queued events are being sent, in order."))
    return redirect("webhooks:deliveries", endpoint.pk)


@owner_required
@require_POST
def endpoint_activate(request, pk):
    endpoint = _endpoint(request, pk)
    active = request.POST.get("active") == "1"
    services.endpoint_set_active(endpoint=endpoint, by=request.user, active=active)
    if active:
        messages.success(request, _("The endpoint was switched on."))
    else:
        messages.success(request, _("The endpoint was switched off: no new events are recorded for it."))
    return redirect("webhooks:endpoints")


@owner_required
@require_http_methods(["GET", "POST"])
def endpoint_delete(request, pk):
    endpoint = _endpoint(request, pk)
    if request.method == "POST":
        services.endpoint_delete(endpoint=endpoint, by=request.user)
        messages.success(request, _("The endpoint was deleted."))
        return redirect("webhooks:endpoints")
    return render(request, "webhooks/endpoint_delete.html", {"endpoint": endpoint})
