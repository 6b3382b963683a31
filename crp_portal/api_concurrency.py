"""No lost updates in the partner API: ETag / If-Match on versioned rows (issue 6).

Mix `VersionedUpdateMixin` into a DRF viewset whose model has a `version` field:

- a detail GET answers with `ETag: "<version>"`;
- PUT, PATCH and DELETE must send `If-Match` with that ETag: without it the answer is
  428 Precondition Required, with an older one 412 Precondition Failed listing what changed
  since (field, their value, your value), and nothing is written;
- a successful write bumps the version and answers with the new ETag.

The row is locked (SELECT ... FOR UPDATE) from the check to the write, so two clients sending
the same If-Match cannot both succeed.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from .concurrency import conflict_for, lock_version


def etag_for(instance) -> str:
    return f'"{instance.version}"'


def _versions_in(header: str) -> list[int | None]:
    """Versions named by an If-Match header ("*" matches any version)."""
    versions: list[int | None] = []
    for part in header.split(","):
        tag = part.strip().removeprefix("W/").strip('"')
        if tag == "*":
            versions.append(None)
        elif tag.isdigit():
            versions.append(int(tag))
    return versions


class VersionedUpdateMixin:
    """ETag on detail reads; If-Match required and checked on writes (see module docstring)."""

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_for(self.get_object())
        return response

    def _precondition(self, request, instance):
        """None when the write may go ahead, else the 428 / 412 response to send."""
        header = request.headers.get("If-Match")
        current = lock_version(type(instance), instance.pk)
        if not header:
            return Response(
                {
                    "detail": _(
                        "Send If-Match with the ETag of the version you read (GET this row), "
                        "so that nobody's changes are overwritten."
                    ),
                    "current_version": current,
                },
                status=status.HTTP_428_PRECONDITION_REQUIRED,
                headers={"ETag": f'"{current}"'},
            )
        versions = _versions_in(header)
        if None in versions or current in versions:
            return None
        loaded = next((v for v in versions if v is not None), 0)
        yours = dict(request.data) if hasattr(request.data, "keys") else {}
        conflict = conflict_for(
            instance, loaded_version=loaded, current_version=current, yours=yours
        )
        return Response(
            conflict.as_json(),
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": f'"{current}"'},
        )

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_object()
            refused = self._precondition(request, instance)
            if refused is not None:
                return refused
            response = super().update(request, *args, **kwargs)
            if response.status_code < 400:
                response["ETag"] = etag_for(self.get_object())
            return response

    def perform_update(self, serializer):
        # The row is locked by _precondition: the version read there is still current.
        serializer.save(version=serializer.instance.version + 1)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_object()
            refused = self._precondition(request, instance)
            if refused is not None:
                return refused
            return super().destroy(request, *args, **kwargs)
