from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "template", "status", "attempts", "short_error", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["subject", "related_object"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
    show_full_result_count = False
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("last error"))
    def short_error(self, email):
        return Truncator(email.last_error).chars(80)

    def has_resend_permission(self, request):
        # Re-sending after a failure is an operator's call (the cause should be fixed first): superusers only.
        return request.user.is_superuser

    @admin.action(description=_("Resend the selected failed e-mails"), permissions=["resend"])
    def resend(self, request, queryset):
        count = services.email_requeue(email_ids=list(queryset.values_list("pk", flat=True)), by=request.user)
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%(n)d e-mail queued again.", "%(n)d e-mails queued again.", count) % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d selected e-mail was not failed and was left alone.",
                    "%(n)d selected e-mails were not failed and were left alone.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )
