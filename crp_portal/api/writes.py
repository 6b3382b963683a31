"""The base of every write body's serializer: a key the endpoint does not write is a 400 naming
it, never dropped in silence (a client must know its change of `status`, `version`, `slug`,
`amount_usd`, ... did not happen). Ref: issue 11, item 12."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

READ_ONLY = _("This field is read-only; it cannot be written here.")
UNKNOWN = _("Unknown field.")

# Shown by every resource, written by none: versions travel in ETag/If-Match headers.
ALWAYS_READ_ONLY = ("id", "url", "version", "created_at", "updated_at", "changed_at")
# Form bodies from the browsable API or a browser carry Django's CSRF field.
NOT_DATA = frozenset({"csrfmiddlewaretoken"})


class WriteSerializer(serializers.Serializer):
    """Validates a POST or PATCH body. `read_only_names` lists what the resource shows that a
    client cannot write (its read serializer's fields): sent back, they are "read-only", any
    other key outside the fields "unknown"."""

    read_only_names: tuple[str, ...] = ()

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            extra = [key for key in data if key not in writable and key not in NOT_DATA]
            if extra:
                read_only = {*ALWAYS_READ_ONLY, *self.read_only_names}
                raise serializers.ValidationError(
                    {str(key): [READ_ONLY if key in read_only else UNKNOWN] for key in extra}
                )
        return super().to_internal_value(data)
