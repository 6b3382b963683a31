"""Writes of the catalogs (strategic objectives, target groups, sectors, plan types) for
administrators: POST a new entry, PATCH one (e.g. set `retired_on`). Entries are never deleted."""

from __future__ import annotations

from rest_framework import mixins, status
from rest_framework.response import Response

from plans.services_catalogs import catalog_check_writable, catalog_entry_save


class CatalogWritesMixin(mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Administrators create (POST) and change (PATCH) entries, validated by the viewset's
    serializer and saved by plans.services_catalogs."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def _save(self, entry, status_code: int) -> Response:
        catalog_check_writable(actor=self.request.user)  # a 403 before any 400
        data = self.get_serializer(entry, data=self.request.data, partial=entry is not None)
        data.is_valid(raise_exception=True)
        saved = catalog_entry_save(
            actor=self.request.user,
            model=self.get_queryset().model,
            entry=entry,
            **data.validated_data,
        )
        return Response(self.get_serializer(saved).data, status=status_code)

    def create(self, request, *args, **kwargs):
        return self._save(None, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        return self._save(self.get_object(), status.HTTP_200_OK)
