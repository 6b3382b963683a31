from __future__ import annotations

from rest_framework import serializers

from crp_portal.api.writes import WriteSerializer
from partners.models import ApiToken, Deletion


class DeletionSerializer(serializers.ModelSerializer):
    """A row that disappeared for this client: deleted, or (kind plan) withdrawn from view."""

    class Meta:
        model = Deletion
        fields = ["kind", "object_id", "lookup", "plan_slug", "reason", "deleted_at"]


class ApiTokenSerializer(serializers.ModelSerializer):
    """One of your API tokens; its secret is never shown again after it was created."""

    active = serializers.BooleanField(
        source="is_active", read_only=True, help_text="False once revoked."
    )

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "active"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The token's id (to revoke it)."},
            "name": {"help_text": "Who uses it, e.g. 'ReliefWeb sync'."},
            "prefix": {"help_text": "The start of the secret after `crp_`, to recognise it."},
            "created_at": {"help_text": "When it was created."},
            "last_used_at": {"help_text": "Its last use (to the minute); null if never used."},
            "revoked_at": {"help_text": "When it was revoked; null while it works."},
        }


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """A new token with its secret: store it now, it is never shown again."""

    secret = serializers.CharField(
        read_only=True, help_text="Send as `Authorization: Token <secret>`; shown only once."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class ApiTokenWriteSerializer(WriteSerializer):
    """A token to create for yourself."""

    read_only_names = tuple(ApiTokenCreatedSerializer.Meta.fields)

    name = serializers.CharField(max_length=120, help_text="Who uses it, e.g. 'ReliefWeb sync'.")
