from rest_framework import permissions


class IsResellerKey(permissions.BasePermission):
    """Allow requests made with a reseller's API key."""

    message = "This route needs a reseller's API key, not a VPN server's node key."

    def has_permission(self, request, view):
        return request.user is not None and request.user.reseller is not None


class IsResellerOrNodeKey(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user is not None


class IsNodeKey(permissions.BasePermission):
    message = "This route needs a VPN server's node key."

    def has_permission(self, request, view):
        return request.user is not None and request.user.server is not None
