from __future__ import annotations

from rest_framework import serializers

from partners.models import Deletion


class DeletionSerializer(serializers.ModelSerializer):
    """A row that disappeared for this client: deleted, or (kind plan) withdrawn from view."""

    class Meta:
        model = Deletion
        fields = ["kind", "object_id", "lookup", "plan_slug", "reason", "deleted_at"]
