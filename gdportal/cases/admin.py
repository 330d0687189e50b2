"""The reasons catalogue in the admin (SPEC §15). Who may edit it is gdportal/accounts/roles.py: the
catalogue's curators add and change reasons, analysts only read them; nobody deletes one (decisions point
to it: retire it with "active")."""

from django.contrib import admin

from .reasons import DecisionReason


@admin.register(DecisionReason)
class DecisionReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "norm_reference", "active", "position"]
    list_filter = ["active"]
    search_fields = ["code", "text", "norm_reference"]
    ordering = ["position", "code"]

    def get_readonly_fields(self, request, obj=None):
        # The code is what past decisions and the public counts are grouped by: fixed once created.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False
