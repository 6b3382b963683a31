"""Who may call the partner API: anyone reads, writes need a login."""

from __future__ import annotations

from rest_framework import permissions


class ReadOrAuthenticatedWrite(permissions.BasePermission):
    """Anyone reads (what visible_to() lets them see); writes need a login and then pass the
    permission check inside the service they call."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)
