from django.contrib import admin

from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["subject", "related_object"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False
