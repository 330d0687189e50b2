from rest_framework import permissions

from .auth import may_hold_token


class IsFiler(permissions.BasePermission):
    """Customers and RTs (the people who file); staff work in the admin."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and may_hold_token(request.user))
