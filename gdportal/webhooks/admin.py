"""Staff see the endpoints and their deliveries; they may pause or delete an endpoint, never edit one, and
never see its secret."""

from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gdportal.cases.admin_common import ReadOnlyAdmin

from . import services
from .models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "active", "paused_at", "failing_since", "last_success_at", "created_at"]
    list_filter = ["active", ("paused_at", admin.EmptyFieldListFilter)]
    search_fields = ["url", "owner__email"]
    list_select_related = ["owner"]
    fields = [
        "owner",
        "url",
        "description",
        "active",
        "created_at",
        "paused_at",
        "failing_since",
        "last_success_at",
    ]
    readonly_fields = fields
    actions = ["pause"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Pause the selected endpoints"), permissions=["change"])
    def pause(self, request, queryset):
        count = sum(services.endpoint_pause(endpoint=endpoint, by=request.user) for endpoint in queryset)
        self.message_user(
            request,
            ngettext("%(n)d endpoint paused.", "%(n)d endpoints paused.", count) % {"n": count},
            messages.SUCCESS,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "event",
        "event_id",
        "status",
        "attempts",
        "last_status_code",
        "short_error",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event"]
    list_select_related = ["endpoint"]
    search_fields = ["=event_id", "endpoint__url"]
    raw_id_fields = ["endpoint", "case"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    show_full_result_count = False

    @admin.display(description=_("last error"))
    def short_error(self, delivery):
        return Truncator(delivery.last_error).chars(80)
